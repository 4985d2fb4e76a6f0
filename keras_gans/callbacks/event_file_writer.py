"""A TensorBoard event-file writer that needs neither TensorFlow nor torch.

Keras's own `TensorBoard` callback writes through `tf.summary`, and
`torch.utils.tensorboard` is torch-only. This writer uses only the
`tensorboard` package's protobufs and record framing (pure Python), so the
same files come out on every Keras backend, without importing TensorFlow.
"""

import io
import os
import socket
import time

import numpy as np


def _tensorboard_modules():
    try:
        from tensorboard.compat.proto import event_pb2, summary_pb2
        from tensorboard.summary.writer.record_writer import RecordWriter
    except ImportError as error:
        raise ImportError(
            "Logging images to TensorBoard needs the `tensorboard` package: "
            "pip install tensorboard (or pass tensorboard_log_dir=None)."
        ) from error
    return event_pb2, summary_pb2, RecordWriter


def encode_png(image):
    """Encodes a uint8 array `(H, W, C)`, C in {1, 3}, as PNG bytes."""
    from PIL import Image

    image = np.asarray(image, dtype="uint8")
    pil = Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image)
    buffer = io.BytesIO()
    pil.save(buffer, format="PNG")
    return buffer.getvalue()


class EventFileWriter:
    """Appends image and scalar summaries to one TensorBoard event file.

    Args:
        log_dir: str. Folder of the run; created if missing. TensorBoard
            reads every `events.out.tfevents.*` file in it.

    Example:

    ```python
    writer = EventFileWriter("logs/samples")
    writer.add_image("samples", grid_uint8, step=3)
    writer.close()
    ```
    """

    def __init__(self, log_dir):
        self._event_pb2, self._summary_pb2, record_writer = _tensorboard_modules()
        os.makedirs(log_dir, exist_ok=True)
        name = f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}.{os.getpid()}.keras_gans"
        self.path = os.path.join(log_dir, name)
        self._writer = record_writer(open(self.path, "wb"))
        self._write(self._event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2"))

    def _write(self, event):
        self._writer.write(event.SerializeToString())
        self._writer.flush()

    def _write_summary(self, value, step):
        summary = self._summary_pb2.Summary(value=[value])
        self._write(self._event_pb2.Event(wall_time=time.time(), step=int(step), summary=summary))

    def add_image(self, tag, image, step):
        """Writes a uint8 image `(H, W, C)` (C in {1, 3}) at `step`."""
        image = np.asarray(image)
        height, width, channels = image.shape
        encoded = self._summary_pb2.Summary.Image(
            height=height, width=width, colorspace=channels,
            encoded_image_string=encode_png(image),
        )
        self._write_summary(self._summary_pb2.Summary.Value(tag=tag, image=encoded), step)

    def add_scalar(self, tag, value, step):
        """Writes a float scalar at `step`."""
        self._write_summary(
            self._summary_pb2.Summary.Value(tag=tag, simple_value=float(value)), step
        )

    def close(self):
        if not self._writer.closed:
            self._writer.close()
