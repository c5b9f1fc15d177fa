/**
 * URI's build options as the CLI and the API pass them: defaults, the deep-layer switches and their validation.
 */
import { describe, expect, it } from 'vitest';
import { URI_DEFAULTS, parseUriOptions } from '../../src/core/uri/index';
import { buildExtra } from '../../src/cli/commands/build';

describe('URI options', () => {
  it('defaults to the per-parent deep-layer balance and the per-token assignment', () => {
    const o = parseUriOptions(undefined, 3);
    expect(o.epochsPerLayer).toBe(3);
    expect(o).toMatchObject({ parentBalance: true, balanceGroups: 2, deepLogitScale: 4, deepCeWeight: 0.1, assignment: 'token', assignScore: 'queries' });
    expect(parseUriOptions({}, undefined).epochsPerLayer).toBe(URI_DEFAULTS.epochsPerLayer);
  });

  it('maps the CLI flags onto builder options', () => {
    const extra = buildExtra({ assignment: 'parent', 'assign-score': 'item', 'printed-deep-loss': true, 'no-adaptive-weight': true });
    expect(extra).toEqual({ assignment: 'parent', assignScore: 'item', parentBalance: false, deepLogitScale: 1, deepCeWeight: 1, adaptiveWeight: false });
    expect(parseUriOptions(extra, undefined)).toMatchObject({ assignment: 'parent', parentBalance: false, deepLogitScale: 1, deepCeWeight: 1, adaptiveWeight: false });
  });

  it('names the option in its errors', () => {
    expect(() => buildExtra({ assignment: 'leaf' })).toThrow('--assignment expects token or parent, got "leaf"');
    expect(() => buildExtra({ 'assign-score': 'users' })).toThrow('--assign-score expects item, queries or both, got "users"');
    expect(() => parseUriOptions({ assignScore: 'users' }, undefined)).toThrow('uri option assignScore: expected item, queries or both, got users');
    expect(() => parseUriOptions({ assignment: 'leaf' }, undefined)).toThrow('uri option assignment: expected token or parent, got leaf');
    expect(() => parseUriOptions({ balanceGroups: 1.5 }, undefined)).toThrow('uri option balanceGroups');
    expect(() => parseUriOptions({ deepLogitScale: 0 }, undefined)).toThrow('uri option deepLogitScale');
    expect(() => parseUriOptions({ deepCeWeight: -1 }, undefined)).toThrow('uri option deepCeWeight: expected a non-negative number, got -1');
  });
});
