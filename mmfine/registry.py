"""mmfine registries.

Every registry is a child of the corresponding mmaction registry with ``scope='mmfine'``, so with
``default_scope='mmfine'`` a config can use mmfine, mmaction and mmengine types side by side
(mmaction types resolve through the parent chain). mmdet modules are built by putting
``_scope_='mmdet'`` on the outermost dict of an mmdet sub-tree.

More details: https://mmengine.readthedocs.io/en/latest/advanced_tutorials/registry.html
"""
from mmaction.registry import DATA_SAMPLERS as MMACTION_DATA_SAMPLERS
from mmaction.registry import DATASETS as MMACTION_DATASETS
from mmaction.registry import EVALUATOR as MMACTION_EVALUATOR
from mmaction.registry import FUNCTION as MMACTION_FUNCTION
from mmaction.registry import HOOKS as MMACTION_HOOKS
from mmaction.registry import INFERENCERS as MMACTION_INFERENCERS
from mmaction.registry import LOG_PROCESSORS as MMACTION_LOG_PROCESSORS
from mmaction.registry import LOOPS as MMACTION_LOOPS
from mmaction.registry import METRICS as MMACTION_METRICS
from mmaction.registry import MODEL_WRAPPERS as MMACTION_MODEL_WRAPPERS
from mmaction.registry import MODELS as MMACTION_MODELS
from mmaction.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMACTION_OPTIM_WRAPPER_CONSTRUCTORS
from mmaction.registry import OPTIM_WRAPPERS as MMACTION_OPTIM_WRAPPERS
from mmaction.registry import OPTIMIZERS as MMACTION_OPTIMIZERS
from mmaction.registry import PARAM_SCHEDULERS as MMACTION_PARAM_SCHEDULERS
from mmaction.registry import \
    RUNNER_CONSTRUCTORS as MMACTION_RUNNER_CONSTRUCTORS
from mmaction.registry import RUNNERS as MMACTION_RUNNERS
from mmaction.registry import TASK_UTILS as MMACTION_TASK_UTILS
from mmaction.registry import TRANSFORMS as MMACTION_TRANSFORMS
from mmaction.registry import VISBACKENDS as MMACTION_VISBACKENDS
from mmaction.registry import VISUALIZERS as MMACTION_VISUALIZERS
from mmaction.registry import \
    WEIGHT_INITIALIZERS as MMACTION_WEIGHT_INITIALIZERS
from mmengine.registry import Registry

# manage all kinds of runners like `EpochBasedRunner` and `IterBasedRunner`
RUNNERS = Registry(
    'runner', parent=MMACTION_RUNNERS, scope='mmfine',
    locations=['mmfine.engine'])
# manage runner constructors that define how to initialize runners
RUNNER_CONSTRUCTORS = Registry(
    'runner constructor', parent=MMACTION_RUNNER_CONSTRUCTORS, scope='mmfine',
    locations=['mmfine.engine'])
# manage all kinds of loops like `EpochBasedTrainLoop`
LOOPS = Registry(
    'loop', parent=MMACTION_LOOPS, scope='mmfine', locations=['mmfine.engine'])
# manage all kinds of hooks like `CheckpointHook`
HOOKS = Registry(
    'hook', parent=MMACTION_HOOKS, scope='mmfine', locations=['mmfine.engine'])

# manage data-related modules
DATASETS = Registry(
    'dataset', parent=MMACTION_DATASETS, scope='mmfine',
    locations=['mmfine.datasets'])
# manage samplers of datasets
DATA_SAMPLERS = Registry(
    'data sampler', parent=MMACTION_DATA_SAMPLERS, scope='mmfine',
    locations=['mmfine.datasets'])
# manage data transforms (loading, sampling, box/prompt handling, packing)
TRANSFORMS = Registry(
    'transform', parent=MMACTION_TRANSFORMS, scope='mmfine',
    locations=['mmfine.datasets.transforms'])

# manage all kinds of modules inheriting `nn.Module`
MODELS = Registry(
    'model', parent=MMACTION_MODELS, scope='mmfine',
    locations=['mmfine.models'])
# manage all kinds of model wrappers like 'MMDistributedDataParallel'
MODEL_WRAPPERS = Registry(
    'model_wrapper', parent=MMACTION_MODEL_WRAPPERS, scope='mmfine',
    locations=['mmfine.models'])
# manage all kinds of weight initialization modules like `Uniform`
WEIGHT_INITIALIZERS = Registry(
    'weight initializer', parent=MMACTION_WEIGHT_INITIALIZERS, scope='mmfine',
    locations=['mmfine.models'])

# manage all kinds of optimizers like `SGD` and `Adam`
OPTIMIZERS = Registry(
    'optimizer', parent=MMACTION_OPTIMIZERS, scope='mmfine',
    locations=['mmfine.engine'])
# manage optimizer wrappers
OPTIM_WRAPPERS = Registry(
    'optim_wrapper', parent=MMACTION_OPTIM_WRAPPERS, scope='mmfine',
    locations=['mmfine.engine'])
# manage constructors that customize the optimization hyperparameters
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor', parent=MMACTION_OPTIM_WRAPPER_CONSTRUCTORS,
    scope='mmfine', locations=['mmfine.engine'])
# manage all kinds of parameter schedulers like `MultiStepLR`
PARAM_SCHEDULERS = Registry(
    'parameter scheduler', parent=MMACTION_PARAM_SCHEDULERS, scope='mmfine',
    locations=['mmfine.engine'])

# manage all kinds of metrics
METRICS = Registry(
    'metric', parent=MMACTION_METRICS, scope='mmfine',
    locations=['mmfine.evaluation'])
# manage evaluators
EVALUATOR = Registry(
    'evaluator', parent=MMACTION_EVALUATOR, scope='mmfine',
    locations=['mmfine.evaluation'])

# manage task-specific modules like match costs, coders and post-processors
TASK_UTILS = Registry(
    'task util', parent=MMACTION_TASK_UTILS, scope='mmfine',
    locations=['mmfine.models'])

# manage visualizers
VISUALIZERS = Registry(
    'visualizer', parent=MMACTION_VISUALIZERS, scope='mmfine',
    locations=['mmfine.visualization'])
# manage visualizer backends
VISBACKENDS = Registry(
    'vis_backend', parent=MMACTION_VISBACKENDS, scope='mmfine',
    locations=['mmfine.visualization'])

# manage log processors
LOG_PROCESSORS = Registry(
    'log_processor', parent=MMACTION_LOG_PROCESSORS, scope='mmfine',
    locations=['mmfine.engine'])

# manage inferencers
INFERENCERS = Registry(
    'inferencer', parent=MMACTION_INFERENCERS, scope='mmfine',
    locations=['mmfine.apis'])

# manage functions (e.g. collate functions)
FUNCTIONS = Registry(
    'function', parent=MMACTION_FUNCTION, scope='mmfine',
    locations=['mmfine.datasets'])
