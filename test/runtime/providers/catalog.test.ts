// The provider catalog (src/runtime/providers/catalog.ts), without onnxruntime: the built-in providers by name,
// registering, replacing and undoing a provider, what an isolated child must import for one, and device pinning.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allProviders, builtinProviders, findProvider, providerModulesFor, registerExecutionProvider, takesDeviceId } from '../../../src/runtime/providers/catalog.js';
import type { ExecutionProvider } from '../../../src/runtime/providers/types.js';

const builtinNames = ['cpu', 'cuda', 'tensorrt', 'webgpu', 'coreml', 'dml'];
const standIn = (name: string, description = 'stand-in'): ExecutionProvider => ({ ...builtinProviders.cpu, name, description });

describe('built-in providers', () => {
  test('each under its own name, in registry order', () => {
    assert.deepEqual(Object.keys(builtinProviders), builtinNames);
    for (const [name, provider] of Object.entries(builtinProviders)) assert.equal(provider.name, name);
    assert.deepEqual(allProviders().map((provider) => provider.name), builtinNames);
  });

  test('findProvider: a built-in by name, undefined for anything else (names of Object.prototype included)', () => {
    assert.equal(findProvider('cuda'), builtinProviders.cuda);
    for (const name of ['nosuch', 'CPU', '', 'toString', 'constructor', '__proto__', 'hasOwnProperty']) assert.equal(findProvider(name), undefined, name);
  });

  test('takesDeviceId: the providers with a device_id option', () => {
    assert.deepEqual(builtinNames.filter(takesDeviceId), ['cuda', 'tensorrt', 'dml']);
    assert.equal(takesDeviceId('nosuch'), false);
    assert.equal(takesDeviceId('constructor'), false);
  });

  test('built-in providers need no module in a child', () => {
    for (const name of builtinNames) assert.deepEqual(providerModulesFor(name), []);
    assert.deepEqual(providerModulesFor('nosuch'), [], 'unknown here means unknown there too: the child reports it');
  });
});

describe('registering a provider', () => {
  test('a new name: found, listed after the built-ins, gone after undo', () => {
    const mine = standIn('mine');
    const undo = registerExecutionProvider(mine);
    try {
      assert.equal(findProvider('mine'), mine);
      assert.deepEqual(allProviders().map((provider) => provider.name), [...builtinNames, 'mine']);
    } finally {
      undo();
    }
    assert.equal(findProvider('mine'), undefined);
    assert.deepEqual(allProviders().map((provider) => provider.name), builtinNames);
  });

  test('a built-in name: replaced in place (same position), restored by undo', () => {
    const cuda = standIn('cuda', 'fake cuda');
    const undo = registerExecutionProvider(cuda);
    try {
      assert.equal(findProvider('cuda'), cuda);
      assert.deepEqual(allProviders().map((provider) => provider.description)[1], 'fake cuda');
      assert.equal(takesDeviceId('cuda'), false, 'the replacement\'s option table counts');
    } finally {
      undo();
    }
    assert.equal(findProvider('cuda'), builtinProviders.cuda);
  });

  test('two registrations of one name undone out of order: the later one stays in force, then none', () => {
    const first = standIn('twice', 'first');
    const second = standIn('twice', 'second');
    const undoFirst = registerExecutionProvider(first, { module: 'file:///srv/first.js' });
    const undoSecond = registerExecutionProvider(second);
    undoFirst();
    assert.equal(findProvider('twice'), second);
    assert.equal(providerModulesFor('twice'), null, 'the second was registered without a module');
    undoSecond();
    assert.equal(findProvider('twice'), undefined, 'the first is not brought back: it was undone');
    undoFirst();
    assert.equal(findProvider('twice'), undefined, 'undoing twice changes nothing');
  });

  test('the module a child imports: the URL given, null when registered without one', () => {
    const url = new URL('file:///srv/my-ep.js');
    const undoWith = registerExecutionProvider(standIn('with-module'), { module: url });
    const undoString = registerExecutionProvider(standIn('with-path'), { module: 'file:///srv/other.js' });
    const undoWithout = registerExecutionProvider(standIn('in-process'));
    try {
      assert.deepEqual(providerModulesFor('with-module'), ['file:///srv/my-ep.js']);
      assert.deepEqual(providerModulesFor('with-path'), ['file:///srv/other.js']);
      assert.equal(providerModulesFor('in-process'), null);
    } finally {
      undoWithout();
      undoString();
      undoWith();
    }
    assert.deepEqual(providerModulesFor('with-module'), []);
  });

  test('registrations stack: undone in reverse order each brings back the one before; a second undo does nothing', () => {
    const first = standIn('stacked', 'first');
    const second = standIn('stacked', 'second');
    const undoFirst = registerExecutionProvider(first);
    const undoSecond = registerExecutionProvider(second);
    assert.equal(findProvider('stacked'), second);
    undoSecond();
    assert.equal(findProvider('stacked'), first);
    undoSecond();
    assert.equal(findProvider('stacked'), first, 'an undo already done leaves the current registration alone');
    undoFirst();
    assert.equal(findProvider('stacked'), undefined);
  });
});
