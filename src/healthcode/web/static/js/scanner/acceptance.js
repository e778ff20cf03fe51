// Acceptance as policy in the browser (healthcode.checkpoint.acceptance.acceptance_for): this
// city's codes pass in the venue's colours; another held jurisdiction's codes as the first of
// the policy's rules for this kind of venue that names the issuer says (none: not admitted).
// The enrolment answer carries the rules already narrowed to the venue's kind:
//   {policy, kind, max_trust_list_age_seconds, foreign: [{id, issuers|null, colours}] | null}
// foreign null: the policy has no rules, every held jurisdiction's codes take the own colours.

/** {issuers, colours, byIssuer} for verifyCode, as acceptance_for builds it in Python. */
export function acceptanceFor(rules, { jurisdiction, colours, trusted }) {
  const issuers = [...new Set([...trusted, jurisdiction])].sort();
  if (!rules || rules.foreign === null || rules.foreign === undefined) return { issuers, colours };
  const byIssuer = {};
  for (const issuer of issuers) {
    if (issuer === jurisdiction) continue;
    const rule = rules.foreign.find((r) => r.issuers === null || r.issuers.includes(issuer));
    byIssuer[issuer] = rule
      ? { colours: rule.colours, rule: `acceptance rule ${rule.id}` }
      : { colours: [], rule: `acceptance: no rule of ${rules.policy} admits ${issuer} at ${rules.kind}` };
  }
  return { issuers, colours, byIssuer };
}

/** How old a held list may be before it is stale (seconds; a day without rules). */
export function maxListAge(rules) {
  return rules?.max_trust_list_age_seconds ?? 86400;
}
