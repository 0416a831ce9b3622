"""Spotter state dicts renamed to E2E-Spot's checkpoint names (the inverse of
:func:`mmfine.models.localizers.convert_e2e_spot`), for converter tests."""


def to_e2e_spot_names(state_dict: dict) -> dict:
    """``backbone.`` -> ``_features.`` with the shift wrappers' ``conv1.net`` / ``conv1.gsm``,
    ``head.gru.`` -> ``_pred_fine._gru.``, ``head.fc.`` -> ``_pred_fine._fc_out._fc_out.``."""
    out = {}
    for k, v in state_dict.items():
        if k.startswith('backbone.'):
            k = '_features.' + k[len('backbone.'):]
            k = k.replace('.shift.', '.conv1.gsm.').replace('.conv1.conv.', '.conv1.net.conv.')
            k = k.replace('.conv1.bn.', '.conv1.net.bn.')
        elif k.startswith('head.gru.'):
            k = '_pred_fine._gru.' + k[len('head.gru.'):]
        else:
            k = '_pred_fine._fc_out._fc_out.' + k[len('head.fc.'):]
        out[k] = v.clone()
    return out
