#!/usr/bin/env node
// Official conformance suite 0.1.16, every scenario (--suite all), 2025 era.
require('./conformance')('2025', 'conformance-2025', ['--suite', 'all']);
