import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planEvictions } from '../../src/server/backlog-bound.js';

interface Fake {
  name: string;
  backlog: number;
  closing: boolean;
}

const open = (name: string, backlog: number): Fake => ({ name, backlog, closing: false });
const closing = (name: string, backlog: number): Fake => ({ name, backlog, closing: true });
const names = (clients: Fake[]) => clients.map((client) => client.name);

describe('planEvictions', () => {
  it('drops nobody while the open clients together stay within the bound', () => {
    const plan = planEvictions([open('a', 40), open('b', 60), closing('c', 90)], 100);
    assert.deepEqual(plan, { close: [], destroy: [] });
  });

  it('closes the most backlogged open clients first, until the rest fit', () => {
    const plan = planEvictions([open('small', 10), open('big', 70), open('mid', 50), open('tiny', 1)], 100);
    assert.deepEqual(names(plan.close), ['big']);
    const more = planEvictions([open('a', 60), open('b', 60), open('c', 60), open('d', 5)], 100);
    assert.deepEqual(names(more.close), ['a', 'b']);
    assert.deepEqual(more.destroy, []);
  });

  it('always keeps the least backlogged open client, so a lone replay larger than the bound survives', () => {
    assert.deepEqual(planEvictions([open('alone', 150)], 100), { close: [], destroy: [] });
    const plan = planEvictions([open('a', 150), open('b', 120)], 100);
    assert.deepEqual(names(plan.close), ['a']);
  });

  it('lets the clients it closed keep their backlog, so they can read up to their close code', () => {
    const plan = planEvictions([open('stalled', 101), open('healthy', 0)], 100);
    assert.deepEqual(names(plan.close), ['stalled']);
    assert.deepEqual(plan.destroy, []);
    // On the next broadcast the closed client is closing and holds the same bytes: it is left alone.
    assert.deepEqual(planEvictions([closing('stalled', 101), open('healthy', 0)], 100), {
      close: [],
      destroy: [],
    });
  });

  it('destroys the most backlogged closing clients once everything together passes twice the bound', () => {
    const plan = planEvictions(
      [closing('old', 90), closing('older', 80), closing('idle', 0), open('x', 30), open('y', 20)],
      100,
    );
    assert.deepEqual(plan.close, []);
    assert.deepEqual(names(plan.destroy), ['old']);
  });

  it('destroys a client it has just closed when the closing share is already full', () => {
    const plan = planEvictions(
      [closing('earlier', 90), closing('earliest', 90), open('new', 120), open('healthy', 0)],
      100,
    );
    assert.deepEqual(names(plan.close), ['new']);
    assert.deepEqual(names(plan.destroy), ['new']);
  });
});
