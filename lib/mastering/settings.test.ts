import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeForMatch } from './match/matchAnalysis';
import { deriveSettings } from './match/derive';
import { syntheticMix } from './match/testSignals';
import { defaultDeliveryRate, masteringSettingsSchema, neutralSettings, parseSettings, SettingsError } from './settings';

test('neutral settings survive a JSON round trip unchanged', () => {
  const s = neutralSettings({ targetLufs: -12 });
  assert.deepEqual(parseSettings(JSON.parse(JSON.stringify(s))), s);
});

test('derived settings are valid and survive a JSON round trip', async () => {
  const mix = await analyzeForMatch(syntheticMix({ seconds: 8, darkness: 0.8 }));
  const ref = await analyzeForMatch(syntheticMix({ seconds: 8, darkness: 0.2, levelDb: -14, seed: 7 }));
  const { settings } = deriveSettings(mix, [{ analysis: ref, weight: 1 }]);
  const round = parseSettings(JSON.parse(JSON.stringify(settings)));
  assert.deepEqual(round, settings);
  assert.ok(settings.eq.bands.mid.length > 0, 'a bright reference gives readable EQ bands');
  assert.ok(settings.eq.curve.midDb.some((v) => v > 1), 'the dark mix is brightened');
});

test('bad settings are rejected with a readable reason', () => {
  const good = neutralSettings();
  const bad: [string, unknown][] = [
    ['version', { ...good, version: 2 }],
    ['curve length', { ...good, eq: { ...good.eq, curve: { ...good.eq.curve, midDb: [0, 1] } } }],
    ['frequency order', { ...good, eq: { ...good.eq, curve: { frequenciesHz: [100, 50], midDb: [0, 0], sideDb: [0, 0] } } }],
    ['amount', { ...good, eq: { ...good.eq, amount: 1.5 } }],
    ['mp3 rate', { ...good, output: { ...good.output, format: 'mp3-320', sampleRate: 96000 } }],
    ['ceiling', { ...good, loudness: { ...good.loudness, ceilingDbtp: 1 } }],
    ['stereo bands', { ...good, stereo: { ...good.stereo, sideGainDb: [0, 0] } }],
    ['missing section', { ...good, dynamics: undefined }],
  ];
  for (const [name, value] of bad) {
    assert.equal(masteringSettingsSchema.safeParse(value).success, false, name);
    assert.throws(() => parseSettings(value), SettingsError, name);
  }
});

test('default delivery rate: the mix rate when it is a delivery rate the format carries, else the nearest of its family', () => {
  const cases: [Parameters<typeof defaultDeliveryRate>[0], number, number][] = [
    ['wav24', 44100, 44100],
    ['wav24', 96000, 96000],
    ['flac16', 88200, 88200],
    ['wav24', 192000, 96000],
    ['wav24', 176400, 88200],
    ['wav24', 384000, 96000],
    ['wav24', 352800, 88200],
    ['wav16', 22050, 44100],
    ['wav16', 11025, 44100],
    ['wav24', 32000, 48000],
    ['wav24', 8000, 48000],
    ['mp3-320', 96000, 48000],
    ['mp3-v0', 88200, 44100],
    ['mp3-320', 22050, 44100],
    ['mp3-320', 48000, 48000],
  ];
  for (const [format, mixRate, want] of cases) assert.equal(defaultDeliveryRate(format, mixRate), want, `${format} from ${mixRate}`);
});

test('a misspelt or unknown key is refused by name instead of silently dropped', () => {
  const settings = JSON.parse(JSON.stringify(neutralSettings())) as Record<string, any>;
  settings.dynamics.compressor.treshold = -20;
  settings.extra = true;
  assert.throws(() => parseSettings(settings), (e: Error) => e instanceof SettingsError && /unknown keys dynamics\.compressor\.treshold, extra/.test(e.message));
  assert.doesNotThrow(() => parseSettings(JSON.parse(JSON.stringify(neutralSettings()))));
});
