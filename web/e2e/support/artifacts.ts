import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';

/** Screenshots of the main screens, kept after the run (gitignored) for people to look at. */
export const ARTIFACTS_DIR = process.env.E2E_ARTIFACTS_DIR ?? resolve(__dirname, '..', '..', 'e2e-artifacts');

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  // Caret and animations are frozen so the pictures are comparable run to run.
  await page.screenshot({ path, fullPage: false, animations: 'disabled', caret: 'hide' });
  return path;
}
