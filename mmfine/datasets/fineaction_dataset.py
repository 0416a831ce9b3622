import json
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.dataset import BaseDataset

from mmfine.registry import DATASETS

SUBSETS = ('training', 'validation', 'testing')


@DATASETS.register_module()
class FineActionDataset(BaseDataset):
    """FineAction (and ActivityNet-1.3) temporal action localization on pre-extracted features.

    Paper: Liu et al., "FineAction: A Fine-Grained Video Dataset for Temporal Action
    Localization", IEEE TIP 2022, https://arxiv.org/abs/2105.11107.

    Annotation formats (detected from the file):

    * official FineAction / ActivityNet json, with or without the ``database`` wrapper::

        {"database": {"v_00000001": {"subset": "training", "duration": 31.2, "fps": 30,
                                     "annotations": [{"segment": [1.5, 2.0],
                                                      "label": "throw"}]}}}

    * mmaction2's ActivityNet layout (one file per split, no ``subset``)::

        {"v_test1": {"duration_second": 1, "duration_frame": 30, "feature_frame": 30,
                     "fps": 30.0, "annotations": [{"segment": [0.3, 0.6],
                                                   "label": "Rock climbing"}]}}

    Classes: the lines of ``class_file`` if given (a label outside it is an error), else the
    sorted set of labels in the annotation file (all subsets). Features: one file per video,
    ``{data_prefix['feature']}/{video}{feature_ext}``: ``.npy`` (T, C) or mmaction2's ``.csv``
    (a header line, then T rows of C values).

    Args:
        ann_file (str): annotation json.
        pipeline (list[dict | callable]): transforms.
        data_prefix (dict): ``feature`` folder. Defaults to ``dict(feature='')``.
        subset (str | Sequence[str], optional): subsets to keep (official format);
            ignored by the mmaction2 layout. Defaults to None (all).
        class_file (str, optional): one class name per line.
        feature_ext (str): ``'.npy'`` or ``'.csv'``. Defaults to ``'.npy'``.
        video_cls_file (str, optional): json ``{video: [score per class]}`` (or ``{"results":
            {...}}``) of an external video classifier, for FineAction's labelling protocol
            (every proposal gets the video's top-1 class). Videos missing from it are an error.
        segment_tolerance (float): seconds a segment may run past the video's end (clipped to
            the duration); further is an error. Defaults to 0.5.
        drop_empty (bool): leave out videos without annotation in training. Defaults to True.
        check_files (bool): check that every feature file exists. Defaults to True.
        test_mode (bool): Defaults to False.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: Sequence[Union[dict, Callable]] = (),
                 data_prefix: Optional[Dict[str, str]] = None,
                 subset: Union[str, Sequence[str], None] = None,
                 class_file: Optional[str] = None,
                 feature_ext: str = '.npy',
                 video_cls_file: Optional[str] = None,
                 segment_tolerance: float = 0.5,
                 drop_empty: bool = True,
                 check_files: bool = True,
                 test_mode: bool = False,
                 **kwargs) -> None:
        if feature_ext not in ('.npy', '.csv'):
            raise ValueError(f"feature_ext must be '.npy' or '.csv', got {feature_ext!r}")
        subsets = [subset] if isinstance(subset, str) else subset
        for s in subsets or ():
            if s not in SUBSETS:
                raise ValueError(f'subset must be among {SUBSETS}, got {s!r}')
        self.subsets = None if subsets is None else tuple(subsets)
        self.class_file = class_file
        self.feature_ext = feature_ext
        self.video_cls_file = video_cls_file
        self.segment_tolerance = segment_tolerance
        self.drop_empty = drop_empty
        self.check_files = check_files
        super().__init__(ann_file=ann_file, pipeline=list(pipeline),
                         data_prefix=data_prefix or dict(feature=''), test_mode=test_mode,
                         **kwargs)

    # ------------------------------------------------------------------ loading
    def _read_json(self, path: str, what: str):
        if not osp.isfile(path):
            raise FileNotFoundError(f'{what} not found: {path}')
        with open(path) as f:
            try:
                return json.load(f)
            except json.JSONDecodeError as e:
                raise ValueError(f'{path} is not valid json: {e}') from None

    def _classes(self, database: Dict) -> List[str]:
        if self.class_file is not None:
            if not osp.isfile(self.class_file):
                raise FileNotFoundError(f'class file not found: {self.class_file}')
            with open(self.class_file) as f:
                return [ln.strip() for ln in f if ln.strip()]
        return sorted({a['label'] for v in database.values() for a in v.get('annotations', [])})

    def _video_cls(self, videos: List[str], num_classes: int) -> Optional[Dict[str, np.ndarray]]:
        if self.video_cls_file is None:
            return None
        raw = self._read_json(self.video_cls_file, 'video classification file')
        raw = raw.get('results', raw)
        out = {}
        for v in videos:
            key = v if v in raw else (v[2:] if v.startswith('v_') and v[2:] in raw else None)
            if key is None:
                raise KeyError(f'{self.video_cls_file}: no class scores for video {v!r}')
            scores = np.asarray(raw[key], np.float32).reshape(-1)
            if len(scores) != num_classes:
                raise ValueError(f'{self.video_cls_file}: video {v!r} has {len(scores)} class '
                                 f'scores, the dataset has {num_classes} classes')
            out[v] = scores
        return out

    def load_data_list(self) -> List[dict]:
        raw = self._read_json(self.ann_file, 'annotation file')
        if not isinstance(raw, dict):
            raise ValueError(f'{self.ann_file}: expected a json object of videos')
        database = raw.get('database', raw)
        mmaction_layout = all('duration_second' in v for v in database.values())
        classes = self._classes(database)
        self._metainfo.setdefault('classes', tuple(classes))
        index = {c: i for i, c in enumerate(classes)}
        data_list = []
        for vid, info in database.items():
            if not mmaction_layout and self.subsets is not None and \
                    info.get('subset') not in self.subsets:
                continue
            field = 'duration_second' if mmaction_layout else 'duration'
            if field not in info:
                raise ValueError(f'{self.ann_file}: video {vid!r} has no {field!r}')
            duration = float(info[field])
            if not duration > 0:
                raise ValueError(f'{self.ann_file}: video {vid!r} has {field} {duration}')
            segs, labels = [], []
            for k, ann in enumerate(info.get('annotations', [])):
                where = f"{self.ann_file}: video {vid!r} annotations[{k}]"
                if 'segment' not in ann or 'label' not in ann:
                    raise ValueError(f"{where} needs 'segment' and 'label'")
                s, e = (float(x) for x in ann['segment'])
                if not (0 <= s <= e) or e > duration + self.segment_tolerance:
                    raise ValueError(f'{where} segment [{s}, {e}] is outside the video '
                                     f'(duration {duration} s) or reversed')
                if ann['label'] not in index:
                    raise ValueError(f"{where} label {ann['label']!r} is not a known class"
                                     + (f' (class file {self.class_file})'
                                        if self.class_file else ''))
                segs.append([s, min(e, duration)])
                labels.append(index[ann['label']])
            if not segs and self.drop_empty and not self.test_mode:
                continue
            path = osp.join(self.data_prefix.get('feature', ''), vid + self.feature_ext)
            if self.check_files and not osp.isfile(path):
                raise FileNotFoundError(f'feature file of video {vid!r} (listed in '
                                        f'{self.ann_file}) not found: {path}')
            data_list.append(dict(
                video_name=vid, feature_path=path, duration=duration,
                duration_frame=info.get('duration_frame'), fps=info.get('fps'),
                gt_segments=np.asarray(segs, np.float32).reshape(-1, 2),
                gt_labels=np.asarray(labels, np.int64)))
        cls = self._video_cls([d['video_name'] for d in data_list], len(classes))
        for d in data_list:
            if cls is not None:
                d['video_cls_scores'] = cls[d['video_name']]
        return data_list
