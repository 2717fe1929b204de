"""Noise levels and presets of the label-noise benchmark (plain data)."""
from mmpose_mlehand.experiments import NOISE_LEVELS, PRESETS
from mmpose_mlehand.synthetic.label_noise import format_label_noise, parse_label_noise


def test_every_noise_level_parses_to_its_canonical_string():
    for level in NOISE_LEVELS.values():
        assert format_label_noise(parse_label_noise(level.label_noise)) == level.label_noise
        assert level.description


def test_systematic_noise_levels():
    assert NOISE_LEVELS['tipshort30'].label_noise == 'tipshort:0.3'
    assert NOISE_LEVELS['swap10'].label_noise == 'swap:0.1'


def test_presets_keep_the_noise_levels_they_ran():
    # New levels must not change what an existing preset runs: its results
    # (docs/results.md) stay reproducible.
    assert PRESETS['tiny'].noise == ('clean', 'gauss6-out20')
    assert PRESETS['small'].noise == ('clean', 'gauss6', 'gauss6-out20')
    assert PRESETS['full'].noise == ('clean', 'gauss6', 'gauss6-out20')
    for preset in PRESETS.values():
        assert set(preset.noise) <= set(NOISE_LEVELS), preset.name
