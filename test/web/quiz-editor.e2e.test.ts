// The quiz editor in a real browser: an organizer writes a quiz with a choice and a text question,
// the server refuses a time limit out of range and the editor shows it on that field, the fixed
// quiz is saved and listed with its question count, exported as a JSON download, imported back
// from that file and the copy deleted (after the confirmation), the quiz is offered in the trivia
// host console, and editing it moves a question up; both pages fit a phone. The API's copy matches
// what was typed.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { startTestApp } from '../harness/app.js';
import { ADMIN_ENV, adminSession } from '../http/events-fixtures.js';
import { browserSuite, describeInBrowser, DESKTOP, PHONE, screenshot } from './browser.js';

const TITLE = 'Capitals';
const EXPECTED_QUESTIONS = [
  { text: 'Capital of Italy?', kind: 'choice', options: ['Milan', 'Rome', 'Turin'], answer: 1, timeLimitSec: 20, points: 1000 },
  { text: 'Capital of Switzerland?', kind: 'text', answer: ['Bern', 'Berne'], timeLimitSec: 30, points: 500 },
];

describeInBrowser('quiz editor in the browser', () => {
  const suite = browserSuite(() => startTestApp({ env: ADMIN_ENV }));

  it('creates a quiz, shows the server’s objection on its field, saves, lists, exports, imports, hosts and edits it', async () => {
    const admin = await adminSession(suite.app);
    const page = await suite.open(DESKTOP, { session: admin });
    await page.goto('/organizer');
    await page.getByRole('link', { name: 'Quizzes', exact: true }).click();
    await page.getByRole('link', { name: 'New quiz' }).click();

    await page.getByLabel('Title').fill(TITLE);
    const first = page.getByRole('group', { name: 'Question 1' });
    await first.getByLabel('Question text').fill('Capital of Italy?');
    await first.getByLabel('Option A', { exact: true }).fill('Milan');
    await first.getByLabel('Option B', { exact: true }).fill('Rome');
    await first.getByRole('button', { name: 'Add option' }).click();
    await first.getByLabel('Option C', { exact: true }).fill('Turin');
    await first.getByLabel('Option B is correct').check();

    await page.getByRole('button', { name: 'Add question' }).click();
    const second = page.getByRole('group', { name: 'Question 2' });
    await second.getByLabel('Question text').fill('Capital of Switzerland?');
    await second.getByLabel('Kind').selectOption('text');
    await second.getByLabel('Accepted answers, one per line').fill('Bern\nBerne');
    await second.getByLabel('Points').fill('500');
    const timeLimit = second.getByLabel('Time limit (seconds)');
    await timeLimit.fill('200');
    await page.getByRole('button', { name: 'Create quiz' }).click();

    // The server's 400 names /questions/1/timeLimitSec: in the summary and under that field.
    await page.getByRole('alert').filter({ hasText: 'Question 2, time limit' }).waitFor();
    await second.getByText('A time limit is a whole number of seconds from 5 to 120').waitFor();
    expect(await timeLimit.getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'quiz-editor');
    await timeLimit.fill('30');
    await page.getByRole('button', { name: 'Create quiz' }).click();

    await page
      .getByRole('status')
      .filter({ hasText: `Saved “${TITLE}”` })
      .waitFor();
    const rows = page.getByTestId('quiz-row');
    const row = rows.filter({ hasText: TITLE });
    expect(await row.getByRole('cell').nth(1).textContent()).toBe('2');
    const id = (await row.getByRole('link', { name: TITLE }).getAttribute('href'))!.split('/').pop()!;
    const stored = await suite.app.request('GET', `/api/quizzes/${id}`, { token: admin.token });
    expect(stored.status).toBe(200);
    expect((await stored.json()).quiz).toMatchObject({ title: TITLE, questions: EXPECTED_QUESTIONS });

    const download = page.waitForEvent('download');
    await row.getByRole('button', { name: `Export ${TITLE}` }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('capitals.quiz.json');
    const exportedPath = await file.path();
    expect(JSON.parse(readFileSync(exportedPath, 'utf8'))).toEqual({
      format: 'stampede-quiz',
      version: 1,
      title: TITLE,
      questions: EXPECTED_QUESTIONS,
    });

    // The export imports back as a new quiz (newest first); the copy is deleted once confirmed.
    await page.getByLabel('Import a quiz from a JSON file').setInputFiles(exportedPath);
    await page.getByRole('status').filter({ hasText: 'Imported' }).waitFor();
    await rows.nth(1).waitFor();
    const copy = rows.first();
    expect(await copy.getByRole('link', { name: TITLE }).getAttribute('href')).not.toContain(id);
    await copy.getByRole('button', { name: 'Delete' }).click();
    await copy.getByRole('button', { name: `Delete ${TITLE}` }).click();
    await rows.nth(1).waitFor({ state: 'detached' });
    expect(await rows.first().getByRole('link', { name: TITLE }).getAttribute('href')).toContain(id);

    await page.getByRole('link', { name: 'Host a game' }).click();
    await page.getByRole('button', { name: `Start a game of ${TITLE}` }).waitFor();

    // Editing: the second question moves up, and the save replaces the questions (PATCH).
    await page.goto(`/organizer/quizzes/${id}`);
    await page.getByRole('heading', { name: `Edit “${TITLE}”` }).waitFor();
    await page.getByRole('button', { name: 'Move question 2 up' }).click();
    expect(await page.getByRole('group', { name: 'Question 1' }).getByLabel('Question text').inputValue()).toBe(EXPECTED_QUESTIONS[1]!.text);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Saved “${TITLE}”` })
      .waitFor();
    const edited = await suite.app.request('GET', `/api/quizzes/${id}`, { token: admin.token });
    expect((await edited.json()).quiz.questions).toEqual([EXPECTED_QUESTIONS[1], EXPECTED_QUESTIONS[0]]);

    // Both pages fit a 360 px phone.
    const phone = await suite.open(PHONE, { session: admin });
    for (const path of ['/organizer/quizzes', `/organizer/quizzes/${id}`]) {
      await phone.goto(path);
      await phone.getByRole('heading', { level: 1 }).waitFor();
      expect(await phone.evaluate('document.documentElement.scrollWidth'), path).toBeLessThanOrEqual(PHONE.width);
    }
    expect(suite.errors).toEqual([]);
  });
});
