// Loaded into `prism mock` (node -r) by 64-openapi-prism.t: a narrow fix of
// a Prism 5.12 bug, not of the spec. OpenAPI 3.0.3 (Schema Object,
// readOnly): "If the property is marked as readOnly being true and is in
// the required list, the required will take effect on the response only."
// Prism's stripReadOnlyProperties (prism-http/dist/utils/
// filterRequiredProperties.js) applies that to an object's own properties
// and items only, not inside oneOf/anyOf/allOf members: POST /user/tokens
// is refused with "policies.0 must have required property 'id'" although
// iam_policy_with_permission_groups_and_resources marks id readOnly. This
// drops, before Prism's own filter runs, each name from a "required" whose
// property the same object (or its allOf/anyOf/oneOf members) marks
// readOnly; nothing else changes.
'use strict';
const path = require('path');
const mod = require(path.join(__dirname, '..', '..', 'node_modules', '@stoplight', 'prism-http', 'dist', 'utils',
  'filterRequiredProperties.js'));
const original = mod.stripReadOnlyProperties;

const COMB = ['allOf', 'anyOf', 'oneOf'];
function readOnlyNames(s, out, seen) {
  if (!s || typeof s !== 'object' || seen.has(s)) return out;
  seen.add(s);
  for (const [k, v] of Object.entries(s.properties || {}))
    if (v && typeof v === 'object' && (v.readOnly === true || (Array.isArray(v.allOf) && v.allOf.some((a) => a && a.readOnly === true))))
      out.add(k);
  for (const c of COMB) if (Array.isArray(s[c])) for (const m of s[c]) readOnlyNames(m, out, seen);
  return out;
}
function strip(s, memo) {
  if (!s || typeof s !== 'object') return s;
  if (memo.has(s)) return memo.get(s);
  const out = Array.isArray(s) ? [] : {};
  memo.set(s, out);
  for (const [k, v] of Object.entries(s)) out[k] = strip(v, memo);
  if (!Array.isArray(s) && Array.isArray(s.required)) {
    const ro = readOnlyNames(s, new Set(), new Set());
    if (ro.size) out.required = s.required.filter((n) => !ro.has(n));
  }
  return out;
}
mod.stripReadOnlyProperties = (schema) => original(strip(schema, new WeakMap()));
