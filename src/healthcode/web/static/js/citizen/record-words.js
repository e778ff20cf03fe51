// What the system writes as codes on the citizen's records, in the page's words: why a colour
// changed (a status change's cause, which never names a case to the person) and what an
// official read. Anything the page has no words for is shown as written.
import { cityName, lang, t } from "../page.js";

const CAUSES = [
  [/^registered$/, () => t.cause_registered],
  [/^time$/, () => t.cause_time],
  [/^case \w+ confirmed: traced$/, () => t.cause_traced],
  [/^correction: case \w+ withdrawn$/, () => t.cause_case_withdrawn],
  [/^correction: case \w+ corrected$/, () => t.cause_case_corrected],
  [/^risk area \S+ \(\w+\): presence there$/, () => t.cause_risk_area],
  [/^correction: risk area \S+$/, () => t.cause_risk_area_corrected],
  [/^exposure while visiting (\w+)$/, (m) => t.cause_exposure_elsewhere.replace("{city}", cityName(m[1]))],
  [/^correction from (\w+)$/, (m) => t.cause_correction_elsewhere.replace("{city}", cityName(m[1]))],
  [/^appeal \S+ corrected: /, () => t.cause_appeal],
  [/^(\w+) \w+$/, (m) => t[`cause_fact_${m[1]}`]],
];

const SEPARATOR = lang === "zh" ? "；" : "; ";
const COLON = lang === "zh" ? "：" : ": ";

// A change's causes ("; " between them, as a reassessment joins them), each once in words
export function causeWords(cause) {
  const said = cause.split("; ").map((one) => {
    for (const [pattern, words] of CAUSES) {
      const found = pattern.exec(one);
      const text = found && words(found);
      if (text) return text;
    }
    return one;
  });
  return [...new Set(said)].join(SEPARATOR);
}

// What an official read: its words, or those of its kind before ": " and the rest after them
// ("proposal: override_colour", "phone number, unmasked: the purpose stated")
export function readWords(what) {
  const exact = t[`read_${what}`];
  if (exact) return exact;
  const at = what.indexOf(": ");
  const kind = at < 0 ? undefined : t[`read_${what.slice(0, at)}`];
  if (!kind) return what;
  const rest = what.slice(at + 2);
  return `${kind}${COLON}${t[`action_${rest}`] || rest}`;
}
