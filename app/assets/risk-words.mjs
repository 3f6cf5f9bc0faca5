// While a victim types a free-text answer, shows the page's help panel (999 and 55, support
// services, what happens to what they write, "contact me") if the text holds a phrase of danger
// or self-harm. Everything happens in this browser: nothing typed is sent, stored or logged.
//
// The phrases come from question_banks/risk_words.yaml, embedded in the page as a JSON data
// block (<script type="application/json" id="risk-words">), never as an inline script. Without
// JavaScript the page's static line still leads to the same help.

// Lower case, apostrophes dropped ("don't" = "dont"), anything that is not a letter, a mark or
// a digit read as a space, and a space at each end so phrases match whole words.
export function normalise(text) {
  const words = text
    .toLocaleLowerCase()
    .replace(/['\u2019`]/gu, "")
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, " ")
    .trim();
  return ` ${words} `;
}

// A test for a list of phrases: whole words, or a word's start for a phrase ending in "*".
export function matcher(phrases) {
  const whole = [];
  const starts = [];
  for (const phrase of phrases) {
    if (typeof phrase !== "string") continue;
    const prefix = phrase.trim().endsWith("*");
    const words = normalise(phrase.replace(/\*\s*$/u, "")).trim();
    if (!words) continue;
    if (prefix) {
      starts.push(` ${words}`);
    } else {
      whole.push(` ${words} `);
    }
  }
  return (value) => {
    const text = normalise(value);
    return whole.some((item) => text.includes(item)) || starts.some((item) => text.includes(item));
  };
}

function phrasesOnPage(element) {
  try {
    const value = JSON.parse(element.textContent || "[]");
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

function start() {
  const data = document.getElementById("risk-words");
  const panel = document.getElementById("risk-help");
  const field = panel ? document.getElementById(panel.dataset.field || "") : null;
  const status = document.getElementById("risk-help-status");
  if (!data || !panel || !field) return;
  const matches = matcher(phrasesOnPage(data));
  const update = () => {
    const show = matches(field.value);
    if (show === !panel.hidden) return;
    panel.hidden = !show;
    // A short message for screen readers; the panel itself is right after the answer box.
    if (status) status.textContent = show ? panel.dataset.announcement || "" : "";
  };
  field.addEventListener("input", update);
  update(); // text kept after an error is checked too
}

start();
