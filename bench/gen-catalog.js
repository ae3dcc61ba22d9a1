// bench/gen-catalog.js - write a catalogue of N tools (schemas/ format) into
// DIR for the start-up and memory benchmark: N/5 resources with list, get,
// create, update and delete, shaped like the core schemas (zone-scoped paths,
// typed query filters, a body schema). node gen-catalog.js DIR N
'use strict';
const fs = require('fs');
const path = require('path');
const [dir, n] = [process.argv[2], Number(process.argv[3] || 1500)];
fs.mkdirSync(dir, { recursive: true });
const zone = { type: 'string', pattern: '^[0-9a-f]{32}$', description: 'Zone identifier (32 hex characters).' };
for (let r = 0; r < Math.ceil(n / 5); r++) {
  const res = `resource_${String(r).padStart(4, '0')}`;
  const idp = { type: 'string', pattern: '^[0-9a-f]{32}$', description: `Identifier of the ${res}.` };
  const body = { type: 'object', additionalProperties: false, required: ['name'], properties: {
    name: { type: 'string', maxLength: 255, description: 'Name.' },
    enabled: { type: 'boolean', description: 'Whether it is on.' },
    ttl: { type: 'integer', minimum: 1, maximum: 86400, description: 'Time to live, seconds.' },
    comment: { type: 'string', maxLength: 500, description: 'Free text.' } } };
  const doc = {
    resource: res, plural: `${res}s`, scope: 'zone', tags: ['generated', `group${r % 10}`],
    methods: {
      list: { http: 'GET', path: `/zones/{zone_id}/${res}s`, title: `List ${res}s`, description: `List the zone's ${res}s, page by page, filtered by name.`, path_params: { zone_id: zone },
        query: { name: { type: 'string', maxLength: 255, description: 'Exact name.' },
          order: { type: 'string', enum: ['name', 'created_on'], description: 'Sort field.' } },
        pagination: { style: 'page', default: 20, max: 100, size_param: 'per_page', cursor_param: 'page' } },
      get: { http: 'GET', path: `/zones/{zone_id}/${res}s/{id}`, title: `Get a ${res}`, description: `One ${res} by its 32-character id, with all fields.`, path_params: { zone_id: zone, id: idp } },
      create: { http: 'POST', path: `/zones/{zone_id}/${res}s`, title: `Create a ${res}`, description: `Create a ${res} in the zone; returns the new record.`, path_params: { zone_id: zone }, body },
      update: { http: 'PATCH', path: `/zones/{zone_id}/${res}s/{id}`, title: `Update a ${res}`, description: `Change fields of a ${res}; returns the record.`, path_params: { zone_id: zone, id: idp }, body },
      delete: { http: 'DELETE', path: `/zones/{zone_id}/${res}s/{id}`, title: `Delete a ${res}`, description: `Delete a ${res} by its 32-character id.`, path_params: { zone_id: zone, id: idp } },
    },
  };
  fs.writeFileSync(path.join(dir, `${res}.json`), JSON.stringify(doc, null, 1));
}
