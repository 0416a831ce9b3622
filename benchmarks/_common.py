"""What every benchmark script shares: the repository on ``sys.path`` and the peak memory."""
import os.path as osp
import resource
import sys

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (``ru_maxrss``, KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
