import { lookupEach } from './lookup-each';

describe('lookupEach', () => {
  it('looks each distinct value up once and keeps the values order', async () => {
    const asked: number[] = [];
    const found = await lookupEach([3, 1, 3, 2], async (n) => {
      asked.push(n);
      await new Promise((resolve) => setTimeout(resolve, (4 - n) * 5));
      return n === 2 ? null : [n, n * 10];
    });
    expect(asked.sort()).toEqual([1, 2, 3]);
    expect(found).toEqual([3, 30, 1, 10]);
  });

  it('never has more than `concurrency` lookups in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    await lookupEach(
      Array.from({ length: 20 }, (_, i) => i),
      async (n) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight--;
        return n;
      },
      4,
    );
    expect(peak).toBe(4);
  });
});
