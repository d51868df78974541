'use strict';
/**
 * Data the benches share: a sample case as the API takes it, and the SQL building blocks and texts with which
 * the review-queue and search benches generate their rows in PostgreSQL (set-based, deterministic per row).
 */

const SAMPLE_CASE = {
  origin: 'WITNESSED',
  incidentAt: '2026-11-20T14:05:00-06:00',
  incidentLocation: '3300 W Fullerton Ave, Chicago',
  activityType: 'ARREST',
  agencies: ['ICE_ERO'],
  narrative: 'Masked agents detained a man at a bus stop and refused to identify themselves.',
  injuriesReported: false,
  noFootageReason: 'Body-worn camera was not yet issued to the reporting officer.',
};
const SAMPLE_FEDERAL_OFFICERS = {
  officers: [
    {
      isSupervisor: true,
      name: 'J. Smith',
      agency: 'ICE_ERO',
      badgeNumber: 'F-123',
      identificationOutcome: 'PARTIAL',
      identificationMethod: 'Asked for name and badge; name given verbally, badge covered',
    },
  ],
};

/** A SQL string literal. */
const sqlLit = (s) => `'${String(s).replace(/'/g, "''")}'`;
/** A SQL text array of `values`. */
const sqlArray = (values) => `ARRAY[${values.map(sqlLit).join(',')}]`;
/** A non-negative hash of the row expression and a salt: the same row always gets the same value. */
const hashSql = (salt, rowExpr = 'i') => `(hashtext(${rowExpr}::text || ${sqlLit(salt)})::bigint & 2147483647)`;
/** One of `values`, chosen by hashSql. */
const pickSql = (values, salt, rowExpr = 'i') =>
  `(${sqlArray(values)})[1 + (${hashSql(salt, rowExpr)} % ${values.length})]`;

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function stats(times) {
  const s = [...times].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    max: s[s.length - 1],
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}

const LOCATIONS = [
  '3300 W Fullerton Ave',
  '1600 S Pulaski Rd',
  '4700 S Ashland Ave',
  '2600 N Milwaukee Ave',
  '6300 S Kedzie Ave',
  '1200 W Cermak Rd',
  '5100 N Broadway',
  '800 N Cicero Ave',
  '3500 S Halsted St',
  '11000 S Michigan Ave',
  '2400 W 63rd St',
  '4000 W North Ave',
  '900 E 79th St',
  '3100 N Clark St',
  '7100 S Western Ave',
  '1800 W 18th St',
];
const NARRATIVE_SENTENCES = [
  'Reporting officer observed four federal agents in tactical vests without visible name plates detain a pedestrian near the bus stop.',
  'Agents declined to produce identification or a judicial warrant when asked by the reporting officer on scene.',
  'One agent deployed a chemical irritant toward a crowd of approximately thirty residents who were filming from the sidewalk.',
  'The detained individual was placed in an unmarked grey SUV with Indiana plates, partial plate recorded on body-worn camera.',
  'Two witnesses provided statements and contact details; both describe the subject being pushed to the ground without warning.',
  'EMS was requested for a bystander who reported eye irritation; the bystander declined transport after treatment on scene.',
  'The supervising agent identified himself only by first name and stated the operation was coordinated with no local agency.',
  'Body-worn camera footage from the reporting officer and one assisting officer was uploaded the same shift.',
  'A store owner provided exterior surveillance footage covering the parking lot for the full duration of the encounter.',
  'Agents entered the rear yard of a residence through a closed gate; the resident states no consent was given.',
  'Vehicle was stopped at the intersection without lights or siren; the driver was questioned for eleven minutes and released.',
  'The reporting officer documented the scene with photographs of the damaged door frame and the discarded restraints.',
  'Neighbours gathered and chanted while the agents loaded two people into a white van and left northbound.',
  'A teacher walking children home from school asked the agents to show a warrant; one agent pointed a taser at her.',
];

/**
 * The body of POST /cases/:id/submit: the author's attestation (issue 16), whose words live in the order's rules
 * (libs/cases/src/order-rules.ts, shared by the service and the console), transpiled here so they cannot drift.
 */
function submitBody() {
  const ts = require('typescript');
  const file = require('node:path').join(__dirname, '..', 'libs/cases/src/order-rules.ts');
  const js = ts.transpileModule(require('node:fs').readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS },
  }).outputText;
  const m = { exports: {} };
  new Function('module', 'exports', js)(m, m.exports);
  return { attestation: { ...m.exports.SUBMIT_ATTESTATION } };
}
const SUBMIT_BODY = submitBody();

module.exports = {
  SAMPLE_CASE,
  SAMPLE_FEDERAL_OFFICERS,
  SUBMIT_BODY,
  sqlLit,
  sqlArray,
  hashSql,
  pickSql,
  percentile,
  stats,
  LOCATIONS,
  NARRATIVE_SENTENCES,
};
