#!/usr/bin/env node
// Official conformance suite 0.2.0-alpha, the scenarios 2026-07-28 requires
// (plus the not-scored extension ones, run for visibility).
require('./conformance')('2026', 'conformance-2026', ['--requirements', '2026-07-28'], true);
