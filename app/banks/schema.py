"""The bank format: pydantic models of a bank file (question_banks/<slug>.yaml) and API document.

Unknown fields are rejected everywhere, so a misspelt key ("show_If") is an error, not a
silently ignored condition. `docs/bank-schema.json` is generated from these models.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    field_validator,
    model_serializer,
    model_validator,
)

from app.enums import OUTCOMES, TOUCHPOINTS, CrimeGroup, Touchpoint
from app.i18n import LANGUAGE_PATTERN

QuestionType = Literal["single", "multi", "scale", "yes_no", "text"]
CHOICE_TYPES: frozenset[str] = frozenset({"single", "multi", "scale", "yes_no"})
ReviewStatus = Literal["draft", "approved"]
# A new or reworded question awaits the partner's sign-off (recorded by an approver, outside the
# published version): until then it is never shown to victims, like a draft translation.
QuestionReview = Literal["pending"]
# The equality-monitoring characteristics a question of the equality section records.
Characteristic = Literal["age_band", "sex", "disability", "ethnicity"]
CHARACTERISTICS: tuple[str, ...] = ("age_band", "sex", "disability", "ethnicity")
UNDER_18_CODE = "under_18"  # the age band answer that shows Childline and keeps the response
# out of published figures
RESERVED_CODES: frozenset[str] = frozenset({"prefer_not_to_say", "dont_know", "not_applicable"})
SOURCE_LANGUAGE = "en"

# Stable ids and codes: lower case, digits and underscores, starting with a letter. They are
# stored in every answer, so they must survive any wording change and any database.
Identifier = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", min_length=1, max_length=64)
]
# BCP 47-ish language tag as used in the survey (en, ur, pl, pa-IN ...).
LanguageTag = Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN.pattern)]
NonEmptyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class TranslatedText(_Strict):
    """One language's text of one string, with a review status overriding the bank's."""

    text: NonEmptyText
    status: ReviewStatus


def _validate_localized(value: Any) -> str | dict[str, Any]:
    """Validate a localized string by hand, so a mistake gives one plain-English message."""
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("text must not be empty")
        return value
    if not isinstance(value, dict):
        raise ValueError("must be text, or a list of languages with their text (en: ..., ur: ...)")
    if SOURCE_LANGUAGE not in value:
        raise ValueError("a translated text needs its English (en) text")
    result: dict[str, Any] = {}
    for language, text in value.items():
        if not isinstance(language, str) or not LANGUAGE_PATTERN.match(language):
            raise ValueError(f"'{language}' is not a language code (like en, ur, pl)")
        if isinstance(text, str):
            if not text.strip():
                raise ValueError(f"the {language} text must not be empty")
            result[language] = text
        elif isinstance(text, dict) and language != SOURCE_LANGUAGE:
            unknown = sorted(set(text) - {"text", "status"})
            if unknown:
                raise ValueError(f"the {language} text has an unknown field '{unknown[0]}'")
            if not isinstance(text.get("text"), str) or not text["text"].strip():
                raise ValueError(f"the {language} text needs its text")
            if text.get("status") not in ("draft", "approved"):
                raise ValueError(f"the {language} text's status must be 'draft' or 'approved'")
            result[language] = {"text": text["text"], "status": text["status"]}
        elif language == SOURCE_LANGUAGE:
            raise ValueError("the English (en) text is the source: give it as plain text")
        else:
            raise ValueError(f"the {language} text must be text")
    return result


# A localized string: plain English, or {en: "...", ur: "..." | {text, status}}.
# Stored as plain JSON values; the precise shape is given to the JSON Schema.
LocalizedText = Annotated[
    str | dict[str, Any],
    PlainValidator(
        _validate_localized, json_schema_input_type=str | dict[str, str | TranslatedText]
    ),
]


class Translation(_Strict):
    """Review status of one language across the bank; en is the source and always shown."""

    status: ReviewStatus


class Waiver(_Strict):
    """A reasoned exception to one lint rule for one question."""

    rule: Identifier
    reason: NonEmptyText = Field(description="Why the rule does not apply here, in words.")


class Option(_Strict):
    code: Identifier
    label: LocalizedText


# What the upload tells about a stage (app/banks/context.py): routes questions silently.
ContextName = Literal["outcome", "vcs_eligible"]
CONTEXT_VALUES: dict[str, frozenset[str]] = {
    "outcome": frozenset(OUTCOMES),
    "vcs_eligible": frozenset({"true", "false", "not_known"}),
}


class ShowIf(_Strict):
    """Show a question only when an earlier question's answer is one of `in`, or (with
    `context` instead of `question`) when the stage's context, as the upload gave it, is."""

    question: Identifier | None = None
    context: ContextName | None = None
    in_: list[Identifier] = Field(alias="in", min_length=1)

    @model_validator(mode="after")
    def _one_source(self) -> ShowIf:
        if (self.question is None) == (self.context is None):
            raise ValueError("show_if names either a question or a context, not both")
        return self

    @model_serializer(mode="wrap")
    def _without_unused(self, handler: Any) -> dict[str, Any]:
        return {key: value for key, value in handler(self).items() if value is not None}


class KnownFrom(_Strict):
    """The answer the stage's context gives this question: when the context's value is listed,
    the question is not asked and a show_if on it reads the code listed."""

    context: ContextName
    codes: dict[Identifier, Identifier] = Field(min_length=1)


class Question(_Strict):
    id: Identifier
    type: QuestionType
    text: LocalizedText
    hint: LocalizedText | None = None
    touchpoints: list[Touchpoint] | None = Field(
        default=None, description="Where the question is asked; omitted means every touchpoint."
    )
    measures: list[str] = Field(default_factory=list)
    sensitive: bool = False
    show_if: ShowIf | None = None
    known_from: KnownFrom | None = None
    waivers: list[Waiver] = Field(default_factory=list)
    options: list[Option] | None = None
    repeat: bool = Field(
        default=False,
        description="Asked again at a later stage of the same case (the board's measures and "
        "each right's headline item); otherwise a question offered at an earlier stage is not "
        "asked again.",
    )
    review: QuestionReview | None = Field(
        default=None,
        description="pending: new or reworded, never shown to victims until an approver records "
        "the partner's sign-off.",
    )
    characteristic: Characteristic | None = Field(
        default=None,
        description="In the equality section: the characteristic the answer records.",
    )

    @field_validator("touchpoints")
    @classmethod
    def _touchpoints_not_empty(cls, value: list[Touchpoint] | None) -> list[Touchpoint] | None:
        if value is not None and not value:
            raise ValueError("list at least one touchpoint, or leave touchpoints out for all")
        return value

    def asked_at(self) -> list[str]:
        """The touchpoints where the question is asked, in journey order."""
        if self.touchpoints is None:
            return list(TOUCHPOINTS)
        return [t.value for t in Touchpoint if t in self.touchpoints]


class Section(_Strict):
    id: Identifier
    title: LocalizedText
    content_note: LocalizedText | None = None
    sensitive: bool = False
    module: Identifier | None = Field(
        default=None,
        description="The module this section belongs to: one module is drawn at random per "
        "invitation, and the questions of the others are not asked. None: asked to everyone.",
    )
    equality: bool = Field(
        default=False,
        description="The optional equality-monitoring section, last, opened by one gate question.",
    )
    questions: list[Question] = Field(default_factory=list)


class BankDocument(_Strict):
    slug: Identifier
    title: LocalizedText
    crime_group: CrimeGroup | None = Field(
        default=None, description="general, rasso or vawg; defaults to the slug."
    )
    introduction: LocalizedText | None = None
    translations: dict[LanguageTag, Translation] = Field(default_factory=dict)
    sections: list[Section] = Field(default_factory=list)
    questions: list[Question] = Field(
        default_factory=list, description="Questions outside any section (sections are usual)."
    )

    @model_validator(mode="after")
    def _crime_group_and_content(self) -> BankDocument:
        if self.crime_group is None:
            if self.slug not in CrimeGroup.__members__:
                raise ValueError("crime_group is required when the slug is not a crime group")
            self.crime_group = CrimeGroup(self.slug)
        if not self.sections and not self.questions:
            raise ValueError("a bank needs at least one question")
        if SOURCE_LANGUAGE in self.translations:
            raise ValueError("en is the source language: leave it out of translations")
        return self

    def all_questions(self) -> list[tuple[Section | None, Question]]:
        """Every question in order, with its section (None for top-level questions)."""
        found: list[tuple[Section | None, Question]] = [(None, q) for q in self.questions]
        for section in self.sections:
            found.extend((section, question) for question in section.questions)
        return found


def parse_document(data: Any) -> BankDocument:
    """Validate a bank document (raises pydantic.ValidationError)."""
    return BankDocument.model_validate(data)


def normalize(document: BankDocument) -> dict[str, Any]:
    """The stored, canonical form of a validated document (every field present, JSON types)."""
    return document.model_dump(mode="json", by_alias=True)


def bank_json_schema() -> dict[str, Any]:
    """JSON Schema of the bank format, for editors and docs/bank-schema.json."""
    schema = BankDocument.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Victim Voice question bank"
    return schema
