// Words and numbers as the person reads them: the page's labels, plural forms, and numbers
// with the decimal separator of the page's language ("7,5" in Indonesian).
export const lang = document.documentElement.lang || "en";
export const text = JSON.parse(document.body.dataset.phoneLabels || "{}");
const rules = new Intl.PluralRules(lang);

export function formatNumber(value, digits = 2) {
  return new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(value);
}

// forms: [one, other], each with "{n}" where the number goes
export function plural(forms, n) {
  const form = forms ? forms[rules.select(n) === "one" ? 0 : 1] : "{n}";
  return form.replace("{n}", formatNumber(n));
}

export function formatDistance(metres) {
  if (metres < 1000) return `${formatNumber(Math.round(metres), 0)} m`;
  const km = metres / 1000;
  return `${formatNumber(km, km < 10 ? 1 : 0)} km`;
}
