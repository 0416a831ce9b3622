"""The toolbox's visualizer: tubes on frames, segments on timelines, masks, score timelines.

One visualizer serves ``tools/test.py --show-dir`` (through :class:`FineVisualizationHook`), the
demos and the analysis tools. Frame drawing uses OpenCV (fast enough for every frame of a long
video); plots (timelines) use matplotlib's Agg canvas.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmengine.visualization import Visualizer

from mmfine.registry import VISUALIZERS

PALETTE = [(230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48),
           (145, 30, 180), (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212)]
GT_COLOR = (0, 255, 0)


def _to_numpy(x) -> np.ndarray:
    if hasattr(x, 'detach'):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def _names(classes: Optional[Sequence[str]], labels) -> List[str]:
    return [classes[int(i)] if classes is not None and 0 <= int(i) < len(classes) else str(int(i))
            for i in labels]


@VISUALIZERS.register_module()
class FineVisualizer(Visualizer):
    """mmengine ``Visualizer`` for every mmfine task (registered in ``VISUALIZERS``).

    Primitives take and return (H, W, 3) uint8 RGB images; :meth:`add_datasample` picks the
    drawing from the fields of a data sample (``pred_clip_tubes`` / ``pred_frame_dets``:
    PoSTAL; ``pred_segments``: temporal localization; ``pred_score``: recognition) and sends
    the image to the backends or to ``out_file``.

    Args:
        name (str): instance name. Defaults to 'visualizer'.
        vis_backends (list[dict], optional): e.g. ``[dict(type='LocalVisBackend')]`` or
            ``dict(type='TensorboardVisBackend')`` (needs ``tensorboard``).
        save_dir (str, optional): backends' directory.
        line_width (int): box line width. Defaults to 2.
        font_scale (float): OpenCV font scale. Defaults to 0.5.
        score_thr (float): draw predictions scoring at least this. Defaults to 0.3.
        max_frames (int): frames of a clip drawn side by side. Defaults to 8.
        top_k (int): at most this many predicted segments / tubes drawn. Defaults to 10.
    """

    def __init__(self, name: str = 'visualizer', vis_backends: Optional[List[Dict]] = None,
                 save_dir: Optional[str] = None, line_width: int = 2, font_scale: float = 0.5,
                 score_thr: float = 0.3, max_frames: int = 8, top_k: int = 10) -> None:
        super().__init__(name=name, vis_backends=vis_backends, save_dir=save_dir)
        self.line_width = line_width
        self.font_scale = font_scale
        self.score_thr = score_thr
        self.max_frames = max_frames
        self.top_k = top_k

    # ------------------------------------------------------------------ primitives (OpenCV)
    def draw_boxes_on(self, image: np.ndarray, boxes, texts: Optional[Sequence[str]] = None,
                      colors: Optional[Sequence[Tuple[int, int, int]]] = None) -> np.ndarray:
        """Boxes (and a caption above each) on a copy of ``image``.

        Args:
            image (np.ndarray): (H, W, 3) uint8 RGB.
            boxes: (N, 4) xyxy pixels of ``image``.
            texts (Sequence[str], optional): N captions.
            colors (Sequence[tuple], optional): N RGB colours (default: the palette).

        Returns:
            np.ndarray: (H, W, 3) uint8 RGB.
        """
        out = np.ascontiguousarray(image, dtype=np.uint8).copy()
        boxes = _to_numpy(boxes).reshape(-1, 4)
        for i, box in enumerate(boxes):
            if not np.all(np.isfinite(box)):
                continue
            color = tuple(int(c) for c in (colors[i] if colors else PALETTE[i % len(PALETTE)]))
            x1, y1, x2, y2 = (int(round(float(v))) for v in box)
            cv2.rectangle(out, (x1, y1), (x2, y2), color, self.line_width)
            if texts:
                cv2.putText(out, texts[i], (x1, max(y1 - 3, 10)), cv2.FONT_HERSHEY_SIMPLEX,
                            self.font_scale, color, 1, cv2.LINE_AA)
        return out

    def draw_mask_on(self, image: np.ndarray, mask, color: Tuple[int, int, int] = (255, 0, 0),
                     alpha: float = 0.5) -> np.ndarray:
        """Blend a mask over ``image`` (a mask of another size is resized to the image).

        Args:
            image (np.ndarray): (H, W, 3) uint8 RGB.
            mask: (h, w) bool / {0, 1} / [0, 1] float / uint8 (> 127 = on).
            color (tuple): RGB. Defaults to red.
            alpha (float): opacity where the mask is on. Defaults to 0.5.
        """
        mask = _to_numpy(mask)
        if mask.dtype == np.uint8:
            mask = mask.astype(np.float32) / 255.0
        mask = mask.astype(np.float32)
        if mask.shape != image.shape[:2]:
            mask = cv2.resize(mask, (image.shape[1], image.shape[0]),
                              interpolation=cv2.INTER_LINEAR)
        weight = (alpha * mask.clip(0, 1))[..., None]  # [H, W, 1]
        out = image.astype(np.float32) * (1 - weight) + np.array(color, np.float32) * weight
        return out.round().clip(0, 255).astype(np.uint8)

    def draw_step_bar(self, image: np.ndarray, num_frames: int, boundaries: Sequence[int],
                      current: int, names: Optional[Sequence[str]] = None,
                      height: Optional[int] = None, text: Optional[str] = None) -> np.ndarray:
        """A timeline of consecutive steps along the bottom of ``image`` with a cursor.

        Args:
            image (np.ndarray): (H, W, 3) uint8 RGB.
            num_frames (int): frames of the video the bar spans.
            boundaries (Sequence[int]): first frame of every step but the first (e.g. the two
                transitions of a dive: take-off | flight | entry).
            current (int): the frame shown (the cursor).
            names (Sequence[str], optional): one per step, written in its segment.
            height (int, optional): bar height; defaults to 1/12 of the image.
            text (str, optional): written above the bar (e.g. the score).
        """
        out = image.copy()
        H, W = out.shape[:2]
        bh = height or max(6, H // 12)
        edges = [0] + [int(b) for b in boundaries] + [num_frames]
        x_of = (lambda f: int(round(f / max(num_frames, 1) * W)))
        for k in range(len(edges) - 1):
            x1, x2 = x_of(edges[k]), x_of(edges[k + 1])
            cv2.rectangle(out, (x1, H - bh), (max(x1, x2 - 1), H - 1), PALETTE[k % len(PALETTE)],
                          -1)
            if names and k < len(names):  # written only where it fits
                (tw, _), _ = cv2.getTextSize(str(names[k]), cv2.FONT_HERSHEY_SIMPLEX,
                                             self.font_scale, 1)
                if tw + 4 <= x2 - x1:
                    cv2.putText(out, str(names[k]), (x1 + 2, H - bh // 3),
                                cv2.FONT_HERSHEY_SIMPLEX, self.font_scale, (0, 0, 0), 1,
                                cv2.LINE_AA)
        x = min(x_of(current), W - 1)
        cv2.line(out, (x, H - bh - 3), (x, H - 1), (255, 255, 255), max(1, self.line_width))
        if text:
            cv2.putText(out, text, (3, H - bh - 6), cv2.FONT_HERSHEY_SIMPLEX, self.font_scale,
                        (255, 255, 255), 1, cv2.LINE_AA)
        return out

    @staticmethod
    def tile(images: Sequence[np.ndarray], cols: Optional[int] = None) -> np.ndarray:
        """Images of one size side by side (``cols`` per row, default all in one row)."""
        cols = cols or len(images)
        h, w = images[0].shape[:2]
        rows = -(-len(images) // cols)
        canvas = np.zeros((rows * h, cols * w, 3), np.uint8)
        for i, img in enumerate(images):
            r, c = divmod(i, cols)
            canvas[r * h:(r + 1) * h, c * w:(c + 1) * w] = img
        return canvas

    # ------------------------------------------------------------------ plots (matplotlib)
    @staticmethod
    def _figure(width: float, height: float):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        fig = Figure(figsize=(width, height), dpi=100)
        FigureCanvasAgg(fig)
        return fig

    @staticmethod
    def _figure_image(fig) -> np.ndarray:
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()

    def draw_segment_timeline(self, duration: float, gt_segments=None, gt_labels=None,
                              pred_segments=None, pred_scores=None, pred_labels=None,
                              classes: Optional[Sequence[str]] = None,
                              title: str = '') -> np.ndarray:
        """Ground-truth segments against the top predicted segments on one time axis.

        Args:
            duration (float): video length (seconds).
            gt_segments: (N, 2) seconds; ``gt_labels`` (N,).
            pred_segments: (K, 2) seconds; ``pred_scores`` (K,); ``pred_labels`` (K,).

        Returns:
            np.ndarray: (H, W, 3) uint8 RGB plot: ground truth on the top row, the
            ``top_k`` best predictions scoring >= ``score_thr`` below, best first, each
            with its score.
        """
        gt = _to_numpy(gt_segments if gt_segments is not None else np.zeros((0, 2))).reshape(-1, 2)
        pred = _to_numpy(pred_segments if pred_segments is not None else np.zeros((0, 2)))
        pred = pred.reshape(-1, 2)
        scores = _to_numpy(pred_scores if pred_scores is not None else np.ones(len(pred)))
        keep = np.nonzero(scores >= self.score_thr)[0]
        keep = keep[np.argsort(-scores[keep], kind='stable')][:self.top_k]
        rows = 1 + len(keep)
        fig = self._figure(8, 0.6 + 0.35 * rows)
        ax = fig.add_subplot(111)
        g_names = _names(classes, gt_labels) if gt_labels is not None else [''] * len(gt)
        for (s, e), n in zip(gt, g_names):
            ax.barh(rows - 1, e - s, left=s, height=0.7, color='tab:green')
            ax.text(s, rows - 1, f' {n}', va='center', fontsize=7)
        p_names = _names(classes, _to_numpy(pred_labels)[keep]) if pred_labels is not None \
            else [''] * len(keep)
        for r, (i, n) in enumerate(zip(keep, p_names)):
            s, e = pred[i]
            y = rows - 2 - r
            ax.barh(y, e - s, left=s, height=0.7, color='tab:blue', alpha=0.7)
            ax.text(s, y, f' {n} {scores[i]:.2f}', va='center', fontsize=7)
        ax.set_yticks(range(rows))
        ax.set_yticklabels([f'pred {rows - 1 - y}' for y in range(rows - 1)] + ['GT'],
                           fontsize=7)
        ax.set_xlim(0, max(float(duration), 1e-6))
        ax.set_xlabel('time (s)')
        if title:
            ax.set_title(title, fontsize=8)
        fig.tight_layout()
        return self._figure_image(fig)

    def draw_score_timeline(self, scores, classes: Optional[Sequence[str]] = None,
                            events: Optional[Sequence[Dict]] = None, fps: Optional[float] = None,
                            title: str = '') -> np.ndarray:
        """Per-class scores over a video with the spotted events marked.

        Args:
            scores: (T, K) per-frame class scores.
            classes (Sequence[str], optional): K names.
            events (Sequence[dict], optional): ``{'frame', 'label' (index or name), 'score'}``.
            fps (float, optional): label the axis in seconds instead of frames.

        Returns:
            np.ndarray: (H, W, 3) uint8 RGB plot.
        """
        scores = _to_numpy(scores).reshape(len(scores), -1)
        t = np.arange(len(scores)) / (fps if fps and fps > 0 else 1.0)
        fig = self._figure(9, 3)
        ax = fig.add_subplot(111)
        names = list(classes) if classes is not None else [str(k) for k in
                                                           range(scores.shape[1])]
        for k in range(scores.shape[1]):
            ax.plot(t, scores[:, k], lw=1, color=np.array(PALETTE[k % len(PALETTE)]) / 255,
                    label=names[k])
        for e in events or []:
            k = names.index(e['label']) if isinstance(e['label'], str) else int(e['label'])
            x = e['frame'] / (fps if fps and fps > 0 else 1.0)
            ax.axvline(x, color=np.array(PALETTE[k % len(PALETTE)]) / 255, ls='--', lw=0.8)
            ax.plot([x], [e.get('score', 1.0)], 'v', color='k', ms=4)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel('time (s)' if fps and fps > 0 else 'frame')
        ax.set_ylabel('score')
        ax.legend(fontsize=6, ncol=min(len(names), 6), loc='upper right')
        if title:
            ax.set_title(title, fontsize=8)
        fig.tight_layout()
        return self._figure_image(fig)

    def draw_score_scatter(self, pred, gt, groups: Optional[Sequence] = None,
                           title: str = '') -> np.ndarray:
        """Predicted against true scores (action quality assessment), one dot per clip.

        Args:
            pred: (N,) predicted scores.
            gt: (N,) true scores.
            groups (Sequence, optional): (N,) group of each clip (e.g. the dive number): the
                ``top_k`` largest groups get their own colours, the rest is grey.

        Returns:
            np.ndarray: (H, W, 3) uint8 RGB plot with the identity line.
        """
        pred, gt = _to_numpy(pred).reshape(-1), _to_numpy(gt).reshape(-1)
        if pred.shape != gt.shape:
            raise ValueError(f'draw_score_scatter: {pred.size} predictions for {gt.size} '
                             'true scores')
        fig = self._figure(5, 5)
        ax = fig.add_subplot(111)
        if groups is None:
            ax.scatter(gt, pred, s=8, color='tab:blue')
        else:
            groups = [str(g) for g in groups]
            sizes = {g: groups.count(g) for g in set(groups)}
            top = sorted(sizes, key=lambda g: (-sizes[g], g))[:self.top_k]
            rest = np.array([g not in top for g in groups])
            ax.scatter(gt[rest], pred[rest], s=6, color='0.7', label='other')
            for k, g in enumerate(top):
                m = np.array([x == g for x in groups])
                ax.scatter(gt[m], pred[m], s=8, label=f'{g} ({sizes[g]})',
                           color=np.array(PALETTE[k % len(PALETTE)]) / 255)
            ax.legend(fontsize=6, loc='upper left')
        lo = float(min(gt.min(initial=0), pred.min(initial=0)))
        hi = float(max(gt.max(initial=1), pred.max(initial=1)))
        ax.plot([lo, hi], [lo, hi], 'k--', lw=0.8)
        ax.set_xlabel('true score')
        ax.set_ylabel('predicted score')
        if title:
            ax.set_title(title, fontsize=8)
        fig.tight_layout()
        return self._figure_image(fig)

    # ------------------------------------------------------------------ data samples
    def draw_tubes_sample(self, video: np.ndarray, data_sample, draw_gt: bool = True,
                          draw_pred: bool = True,
                          classes: Optional[Sequence[str]] = None) -> np.ndarray:
        """A PoSTAL clip: its frames side by side, ground-truth tubes in green, predicted
        tubes (score >= ``score_thr``) with class and score.

        Args:
            video (np.ndarray): (T, H, W, 3) uint8 RGB network-input frames.
            data_sample: with ``gt_tubes`` (boxes in network-input pixels) and / or
                ``pred_clip_tubes`` (boxes in annotation pixels, mapped to the input here by
                the sample's ``homography_matrix``).
        """
        meta = data_sample.metainfo
        T = len(video)
        show = np.linspace(0, T - 1, min(T, self.max_frames)).round().astype(int)
        to_input = _annotation_to_input(meta)
        frames = []
        for t in show:
            img = video[t]
            if draw_gt and 'gt_tubes' in data_sample:
                gt = data_sample.gt_tubes
                valid = _to_numpy(gt.valid)[:, t] if 'valid' in gt else None
                boxes = _to_numpy(gt.boxes)[:, t]
                rows = np.nonzero(valid)[0] if valid is not None else np.arange(len(boxes))
                img = self.draw_boxes_on(img, boxes[rows],
                                         [f'GT {n}' for n in _names(classes,
                                                                    _to_numpy(gt.labels)[rows])],
                                         [GT_COLOR] * len(rows))
            if draw_pred and 'pred_clip_tubes' in data_sample:
                pred = data_sample.pred_clip_tubes
                scores = _to_numpy(pred.scores)
                keep = np.nonzero(scores >= self.score_thr)[0]
                keep = keep[np.argsort(-scores[keep], kind='stable')][:self.top_k]
                boxes = to_input(_to_numpy(pred.boxes)[keep, t])
                names = _names(classes, _to_numpy(pred.labels)[keep])
                img = self.draw_boxes_on(img, boxes, [f'{n} {scores[i]:.2f}'
                                                      for n, i in zip(names, keep)])
            frames.append(img)
        return self.tile(frames)

    def draw_recognition_sample(self, video: np.ndarray, data_sample,
                                classes: Optional[Sequence[str]] = None) -> np.ndarray:
        """A clip's frames with the ground-truth and the top predicted class written on."""
        T = len(video)
        show = np.linspace(0, T - 1, min(T, self.max_frames)).round().astype(int)
        canvas = self.tile([np.ascontiguousarray(video[t], dtype=np.uint8) for t in show])
        lines = []
        if 'gt_label' in data_sample:
            lines.append(('GT: ' + _names(classes, _to_numpy(data_sample.gt_label).reshape(-1)
                                          [:1])[0], GT_COLOR))
        if 'pred_score' in data_sample:
            score = _to_numpy(data_sample.pred_score).reshape(-1)
            k = int(score.argmax())
            lines.append((f'pred: {_names(classes, [k])[0]} {score[k]:.2f}', PALETTE[0]))
        pad = np.zeros((18 * len(lines) + 4, canvas.shape[1], 3), np.uint8)
        for i, (text, color) in enumerate(lines):
            cv2.putText(pad, text, (4, 16 + 18 * i), cv2.FONT_HERSHEY_SIMPLEX, self.font_scale,
                        color, 1, cv2.LINE_AA)
        return np.concatenate([canvas, pad], axis=0)

    def add_datasample(self, name: str, image: Optional[np.ndarray] = None,
                       video: Optional[np.ndarray] = None, data_sample=None,
                       draw_gt: bool = True, draw_pred: bool = True, show: bool = False,
                       wait_time: float = 0, out_file: Optional[str] = None,
                       step: int = 0) -> np.ndarray:
        """Draw a data sample and send it to the backends (or ``out_file``).

        Args:
            name (str): image name for the backends.
            image (np.ndarray, optional): (H, W, 3) uint8 RGB, used as a one-frame video.
            video (np.ndarray, optional): (T, H, W, 3) uint8 RGB frames (not needed for
                temporal localization samples).
            data_sample: an mmfine / mmaction data sample.
            draw_gt, draw_pred (bool): Defaults to True.
            show (bool): display in a window. Defaults to False.
            wait_time (float): seconds a shown window stays. Defaults to 0.
            out_file (str, optional): write the image here instead of the backends.
            step (int): global step for the backends. Defaults to 0.

        Returns:
            np.ndarray: the drawn (H, W, 3) uint8 RGB image.
        """
        classes = (self.dataset_meta or {}).get('classes')
        if video is None and image is not None:
            video = image[None]
        if data_sample is None:
            raise ValueError('add_datasample needs a data_sample')
        if 'pred_segments' in data_sample or 'gt_segments' in data_sample:
            get = data_sample.get  # None where the sample has no such field
            drawn = self.draw_segment_timeline(
                float(_to_numpy(data_sample.get('duration', 0.0)).reshape(-1)[0]),
                get('gt_segments') if draw_gt else None, get('gt_labels') if draw_gt else None,
                get('pred_segments') if draw_pred else None, get('pred_scores'),
                get('pred_labels'), classes, title=name)
        elif video is None:
            raise ValueError(f'{name}: a video or image is needed to draw this data sample')
        elif 'pred_clip_tubes' in data_sample or 'gt_tubes' in data_sample:
            drawn = self.draw_tubes_sample(video, data_sample, draw_gt, draw_pred, classes)
        else:
            drawn = self.draw_recognition_sample(video, data_sample, classes)
        if show:
            self.show(drawn, win_name=name, wait_time=wait_time)
        if out_file is not None:
            import mmcv
            mmcv.imwrite(drawn[..., ::-1], out_file)
        else:
            self.add_image(name, drawn, step)
        return drawn


def _annotation_to_input(meta: dict):
    """Map (N, 4) annotation-resolution boxes to the network input (the inverse of
    :func:`mmfine.models.heads.tube_boxes_to_pixels`)."""
    scale = np.ones(4)
    if 'resolution' in meta and 'original_shape' in meta:
        (rh, rw), (oh, ow) = meta['resolution'], meta['original_shape']
        scale = np.array([ow / rw, oh / rh, ow / rw, oh / rh])
    matrix = np.asarray(meta.get('homography_matrix', np.eye(3)), np.float64)

    def apply(boxes: np.ndarray) -> np.ndarray:
        b = np.asarray(boxes, np.float64).reshape(-1, 4) * scale
        corners = b.reshape(-1, 2, 2) @ matrix[:2, :2].T + matrix[:2, 2]  # [N, 2, 2]
        return np.concatenate([corners.min(1), corners.max(1)], axis=1)

    return apply
