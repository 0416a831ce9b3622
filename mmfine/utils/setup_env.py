import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Register all modules of mmfine (and, through the parents, mmaction) into the registries.

    Args:
        init_default_scope (bool): Whether to set the global default scope to ``mmfine`` so that
            all registries build from mmfine's node (mmaction and mmengine types still resolve
            through the parent chain). Defaults to True.
    """
    import mmaction.datasets  # noqa: F401
    import mmaction.engine  # noqa: F401
    import mmaction.evaluation  # noqa: F401
    import mmaction.models  # noqa: F401  (needs the DRN shim, applied when mmfine is imported)
    import mmaction.structures  # noqa: F401
    import mmaction.visualization  # noqa: F401

    import mmfine.datasets  # noqa: F401
    import mmfine.engine  # noqa: F401
    import mmfine.evaluation  # noqa: F401
    import mmfine.models  # noqa: F401
    import mmfine.visualization  # noqa: F401

    if init_default_scope:
        never_created = DefaultScope.get_current_instance() is None \
            or not DefaultScope.check_instance_created('mmfine')
        if never_created:
            DefaultScope.get_instance('mmfine', scope_name='mmfine')
            return
        current_scope = DefaultScope.get_current_instance()
        if current_scope.scope_name != 'mmfine':
            warnings.warn(f'The current default scope "{current_scope.scope_name}" is not '
                          '"mmfine"; `register_all_modules` switches it to "mmfine".')
            new_instance_name = f'mmfine-{datetime.datetime.now()}'
            DefaultScope.get_instance(new_instance_name, scope_name='mmfine')
