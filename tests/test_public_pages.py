"""The genuine-message page, accessibility statement, privacy notice and cookies page: real
content, linked from every page's footer, sent with the victim pages' headers."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

PUBLIC_PAGES = {
    "/": "Messages from Your views",
    "/accessibility": "Accessibility statement for Your views",
    "/privacy": "Privacy notice",
    "/cookies": "Cookies",
    "/what-happens-to-what-you-write": "What happens to what you write",
}
FOOTER_HREFS = ("/accessibility", "/privacy", "/cookies")


def h1(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match, "page has no h1"
    return re.sub(r"\s+", " ", match.group(1)).strip()


def footer(html: str) -> str:
    match = re.search(r"<footer.*?</footer>", html, re.S)
    assert match, "page has no footer"
    return match.group(0)


def text_of(html: str) -> str:
    """Visible text, whitespace collapsed, entities for quotes folded, for phrase checks."""
    text = re.sub(r"<[^>]+>", " ", html)
    text = text.replace("&rsquo;", "\u2019").replace("&lsquo;", "\u2018")
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize(("path", "heading"), PUBLIC_PAGES.items())
def test_public_page_has_its_heading_title_and_headers(
    client: TestClient, path: str, heading: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert h1(response.text) == heading
    assert f"<title>{heading.split(' for ')[0]}" in response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    # Every inline script (the GOV.UK template's js-enabled switch) carries this response's nonce.
    for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", response.text):
        assert f'nonce="{nonce}"' in tag
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize(
    "path", [*PUBLIC_PAGES, "/no-such-page", "/s/not-a-real-token", "/staff/login"]
)
def test_every_page_links_the_three_public_pages_in_its_footer(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code in (200, 404), path
    links = re.findall(r'href="([^"]+)"', footer(response.text))
    for href in FOOTER_HREFS:
        assert href in links, f"{path} footer lacks {href}"


def test_accessibility_statement_is_specific_and_honest(client: TestClient) -> None:
    text = text_of(client.get("/accessibility").text)
    assert "WCAG" in text and "2.2" in text and "AA" in text
    assert "partially compliant" in text
    assert "axe-core" in text
    assert "360 by 640" in text
    assert "JavaScript turned on and turned off" in text
    assert "320 pixels wide" in text and "using only the keyboard" in text
    assert "no failures of WCAG 2.2 level A or AA" in text
    # Honest about what has not been done yet.
    assert "has not yet been checked by hand with assistive technology" in text
    assert "Equality and Human Rights Commission (EHRC)" in text
    assert "Equality Advisory and Support Service" in text
    assert "Reporting accessibility problems" in text


def test_accessibility_statement_gives_contact_details(
    client: TestClient, settings_override
) -> None:
    settings_override(
        VV_CONTACT_EMAIL="views@testshire.example",
        VV_CONTACT_PHONE="0121 496 0000",
        VV_ORGANISATION="Office of the Mayor of Testshire",
    )
    html = client.get("/accessibility").text
    text = text_of(html)
    assert 'href="mailto:views@testshire.example"' in html
    assert "0121 496 0000" in text
    assert "Office of the Mayor of Testshire" in text
    # How to complain, and to whom the regulator's procedure leads (the 2018 regulations).
    assert "Equality and Human Rights Commission (EHRC)" in text


def test_the_genuine_message_page_says_who_asks_how_to_check_and_how_to_stop(
    client: TestClient, settings_override
) -> None:
    settings_override(
        VV_ORGANISATION="Office of the Mayor of Testshire",
        VV_BASE_URL="https://views.testshire.example",
        VV_SMS_NUMBER="07911 123456",
        VV_CONTACT_PHONE="0121 496 0000",
        VV_VERIFY_URL="https://testshire.example/genuine",
    )
    response = client.get("/")
    assert response.status_code == 200
    html, text = response.text, text_of(response.text)
    assert "Office of the Mayor of Testshire" in text  # who runs it
    assert "views.testshire.example" in text  # where our links lead
    assert "07911 123456" in text  # the number our texts come from
    assert "0121 496 0000" in text
    assert 'href="https://testshire.example/genuine"' in html
    assert "Reply STOP" in text or "reply STOP" in text
    assert "every message" in text  # stopping stops them all
    assert "never ask" in text  # what a genuine message never asks for
    assert "Exit this page" in html and "In danger now? Call 999." in text.replace(
        "can&#39;t", "can't"
    )
    # The page's own words are calm and neutral: someone else may be looking at the screen
    # (the support panel names its services, as on every victim page).
    for word in ("crime", "victim", "offence", "abuse", "rape"):
        assert word not in text.lower(), word
    assert "set-cookie" not in response.headers


def test_the_genuine_message_page_without_optional_settings(client: TestClient) -> None:
    text = text_of(client.get("/").text)
    assert "None" not in text and "{" not in text
    from app.settings import get_settings

    assert get_settings().base_url.rstrip("/") + "/" in text  # where the links lead


def test_privacy_notice_says_what_why_how_long_who_and_how_to_complain(
    client: TestClient, settings_override
) -> None:
    settings_override(
        VV_ORGANISATION="Office of the Mayor of Testshire",
        VV_LINK_TTL_DAYS="21",
        VV_RETENTION_MONTHS="24",
        VV_MIN_CELL="12",
        VV_VERIFY_URL="https://testshire.example/genuine",
        VV_HANDOVER_DAYS="60",
    )
    text = text_of(client.get("/privacy").text)
    assert "Office of the Mayor of Testshire is the data controller" in text
    # A survey a support service hands over: its code, its life, the address sent once, help.
    assert "one-time code" in text and "stays open for 21 days" in text
    assert "within 60 days, the survey ends unused" in text
    assert "use that number or address once to send it and do not keep it" in text
    assert "they see your answers while they help you. Nobody else does" in text
    assert "erased when the link expires, 21 days after the first message" in text
    assert "encrypted" in text
    assert "your IP address" in text and "We do not store your name" in text
    assert "24 months (2 years), then erased" in text
    assert "fewer than 12 people is hidden" in text
    assert "Article 6(1)(e), public task" in text
    assert "substantial public interest" in text and "Article 9(2)(g)" in text
    assert "Victims and Prisoners Act 2024" in text
    assert "ico.org.uk" in text and "0303 123 1113" in text
    assert "withdraw" in text
    assert 'href="https://testshire.example/genuine"' in client.get("/privacy").text


def test_cookies_page_lists_only_essential_cookies_from_the_settings(
    client: TestClient, settings_override
) -> None:
    settings_override(VV_SURVEY_SESSION_MINUTES="45", VV_STAFF_SESSION_IDLE_MINUTES="20")
    text = text_of(client.get("/cookies").text)
    assert "vv_survey" in text
    assert (
        "After 45 minutes without use, or at once when you use \u2018Exit this page\u2019" in text
    )
    assert "After 20 minutes without use" in text
    assert "We do not use analytics cookies" in text
    assert "__Host-" not in text


def test_staff_cookie_takes_the_host_prefix_behind_https(
    client: TestClient, settings_override
) -> None:
    settings_override(VV_BASE_URL="https://survey.example")
    from app.main import create_app

    with TestClient(create_app(), base_url="https://survey.example") as secure:
        text = secure.get("/cookies").text
        assert "__Host-vv_staff" in text and "__Host-vv_login_csrf" in text


def test_cookie_names_on_the_page_are_the_ones_the_service_sets() -> None:
    from app import public_pages
    from app.auth import csrf, sessions
    from app.survey import session as survey_session

    assert public_pages.SURVEY_COOKIE_NAME == survey_session.COOKIE_NAME
    assert public_pages.STAFF_COOKIE_NAME == sessions.SESSION_COOKIE
    assert public_pages.LOGIN_CSRF_COOKIE_NAME == csrf.LOGIN_CSRF_COOKIE


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_keep_exit_this_page_and_the_support_panel(
    client: TestClient, path: str
) -> None:
    """A victim reaches these pages from a survey page's footer: the safety net stays."""
    html = client.get(path).text
    assert 'href="/survey/exit"' in html
    assert "Exit this page" in html
    assert "In danger now? Call 999." in text_of(html).replace("can&#39;t", "can't")


def test_survey_pages_link_the_public_pages_in_their_footer(client: TestClient, db) -> None:  # type: ignore[no-untyped-def]
    from tests.browser.factories import create_sent_invitation, publish_bank

    publish_bank(db)
    link = create_sent_invitation(db)
    db.commit()
    for path in (link.path, "/survey/leaving-quickly", "/survey/safety", "/survey/begin"):
        response = client.get(path)
        assert response.status_code == 200, path
        links = re.findall(r'href="([^"]+)"', footer(response.text))
        assert all(href in links for href in FOOTER_HREFS), path
