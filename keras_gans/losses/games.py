"""The game a GAN plays: its two losses as one small serializable object.

A game maps discriminator logits to the two players' losses. The GAN model
composes one game with optional discriminator regularizers
(`keras_gans.regularizers`), an augmentation and an EMA generator; the named
model classes (`NonSaturatingGAN`, `HingeGAN`, ...) only pick the game.
Resolve a game by name with `keras_gans.losses.get("hinge")`.
"""

import keras

from keras_gans import hyperparameters
from keras_gans.losses import functional
from keras_gans.serialization import Configurable


class Game(Configurable):
    """Base class of GAN games: `discriminator_loss` and `generator_loss`.

    Subclass it for a new game and register it with
    `keras.saving.register_keras_serializable`.

    Args:
        label_smoothing: float in [0, 1). One-sided label smoothing: the
            discriminator's target for real images is `1 - label_smoothing`
            (Salimans et al. 2016). Only games whose losses have targets
            accept a non-zero value. Defaults to 0.

    Example:

    >>> game = NonSaturating(label_smoothing=0.1)
    >>> float(game.discriminator_loss(keras.ops.zeros((2, 1)), keras.ops.zeros((2, 1))))  # 2 log 2
    1.386...
    """

    name = None
    has_targets = False

    def __init__(self, label_smoothing=0.0):
        label_smoothing = hyperparameters.unit_interval("label_smoothing", label_smoothing)
        if label_smoothing and not self.has_targets:
            raise ValueError(
                f"`label_smoothing` does not apply to the {self.name} game, whose losses "
                "have no targets; use it with the minimax, non-saturating or "
                f"least-squares games, or set label_smoothing=0. Received {label_smoothing!r}."
            )
        self.label_smoothing = label_smoothing

    def discriminator_loss(self, real_logits, fake_logits):
        raise NotImplementedError

    def generator_loss(self, fake_logits):
        raise NotImplementedError

    def generator_losses(self, fake_logits):
        """The generator's loss of each fake, shape `(batch,)`, whose mean is
        `generator_loss`; top-k generator updates (`keras_gans.TopK`) need it."""
        raise NotImplementedError(
            f"{type(self).__name__} does not define `generator_losses` (one loss per fake), "
            "which top-k generator updates need: define it, or drop `top_k`."
        )

    def get_config(self):
        return {"label_smoothing": self.label_smoothing} if self.has_targets else {}


@keras.saving.register_keras_serializable(package="keras_gans")
class Minimax(Game):
    """The original minimax game (Goodfellow et al. 2014).

    D: `mean(softplus(-real)) + mean(softplus(fake))`;
    G: `-mean(softplus(fake))` (saturating).

    Example:

    >>> float(Minimax().generator_loss(keras.ops.zeros((2, 1))))
    -0.693...
    """

    name = "minimax"
    has_targets = True

    def discriminator_loss(self, real_logits, fake_logits):
        return functional.minimax_discriminator_loss(real_logits, fake_logits, self.label_smoothing)

    def generator_loss(self, fake_logits):
        return functional.minimax_generator_loss(fake_logits)

    def generator_losses(self, fake_logits):
        return -keras.ops.softplus(keras.ops.reshape(fake_logits, (-1,)))


@keras.saving.register_keras_serializable(package="keras_gans")
class NonSaturating(Game):
    """The non-saturating game (Goodfellow et al. 2014, §3).

    D: as minimax; G: `mean(softplus(-fake))`.

    Example:

    >>> float(NonSaturating().generator_loss(keras.ops.zeros((2, 1))))
    0.693...
    """

    name = "non_saturating"
    has_targets = True

    def discriminator_loss(self, real_logits, fake_logits):
        return functional.non_saturating_discriminator_loss(
            real_logits, fake_logits, self.label_smoothing
        )

    def generator_loss(self, fake_logits):
        return functional.non_saturating_generator_loss(fake_logits)

    def generator_losses(self, fake_logits):
        return keras.ops.softplus(-keras.ops.reshape(fake_logits, (-1,)))


@keras.saving.register_keras_serializable(package="keras_gans")
class Wasserstein(Game):
    """The Wasserstein game (Arjovsky et al. 2017): D `mean(fake) - mean(real)`, G `-mean(fake)`.

    Use it with a gradient penalty (`WGANGP`) or another Lipschitz constraint.

    Example:

    >>> float(Wasserstein().discriminator_loss(keras.ops.ones((2, 1)), keras.ops.zeros((2, 1))))
    -1.0
    """

    name = "wasserstein"

    def discriminator_loss(self, real_logits, fake_logits):
        return functional.wasserstein_discriminator_loss(real_logits, fake_logits)

    def generator_loss(self, fake_logits):
        return functional.wasserstein_generator_loss(fake_logits)

    def generator_losses(self, fake_logits):
        return -keras.ops.reshape(fake_logits, (-1,))


@keras.saving.register_keras_serializable(package="keras_gans")
class Hinge(Game):
    """The hinge game (Lim & Ye 2017; Miyato et al. 2018).

    D: `mean(relu(1 - real)) + mean(relu(1 + fake))`; G: `-mean(fake)`.

    Example:

    >>> float(Hinge().discriminator_loss(keras.ops.ones((2, 1)), -keras.ops.ones((2, 1))))
    0.0
    """

    name = "hinge"

    def discriminator_loss(self, real_logits, fake_logits):
        return functional.hinge_discriminator_loss(real_logits, fake_logits)

    def generator_loss(self, fake_logits):
        return functional.hinge_generator_loss(fake_logits)

    def generator_losses(self, fake_logits):
        return -keras.ops.reshape(fake_logits, (-1,))


@keras.saving.register_keras_serializable(package="keras_gans")
class LeastSquares(Game):
    """The least-squares game (Mao et al. 2017, LSGAN with a=0, b=c=1).

    D: `0.5 mean((real - 1)^2) + 0.5 mean(fake^2)`; G: `0.5 mean((fake - 1)^2)`.

    Example:

    >>> float(LeastSquares().generator_loss(keras.ops.ones((2, 1))))
    0.0
    """

    name = "least_squares"
    has_targets = True

    def discriminator_loss(self, real_logits, fake_logits):
        return functional.least_squares_discriminator_loss(
            real_logits, fake_logits, self.label_smoothing
        )

    def generator_loss(self, fake_logits):
        return functional.least_squares_generator_loss(fake_logits)

    def generator_losses(self, fake_logits):
        return 0.5 * keras.ops.square(keras.ops.reshape(fake_logits, (-1,)) - 1.0)


ALL_GAMES = (Minimax, NonSaturating, Wasserstein, Hinge, LeastSquares)
GAMES_BY_NAME = {game.name: game for game in ALL_GAMES}
GAMES_BY_NAME["nonsaturating"] = NonSaturating  # the CLI's spelling


def get(identifier):
    """Resolves a game from a name, a config dict or a `Game` instance.

    Example:

    >>> get("hinge")
    Hinge()
    >>> get({"class_name": "NonSaturating", "config": {"label_smoothing": 0.1}})
    NonSaturating(label_smoothing=0.1)
    """
    if isinstance(identifier, Game):
        return identifier
    if isinstance(identifier, str):
        if identifier not in GAMES_BY_NAME:
            raise ValueError(
                f"Unknown game {identifier!r}: use one of {sorted(GAMES_BY_NAME)}, "
                "or pass a keras_gans.losses.Game instance."
            )
        return GAMES_BY_NAME[identifier]()
    if isinstance(identifier, dict):
        by_class = {game.__name__: game for game in ALL_GAMES}
        if identifier.get("class_name") in by_class:
            return by_class[identifier["class_name"]].from_config(identifier.get("config") or {})
        game = keras.saving.deserialize_keras_object(identifier)
        if isinstance(game, Game):
            return game
    raise ValueError(
        f"Could not interpret game {identifier!r}: pass a name such as 'non_saturating' "
        "or 'hinge', a serialized game config, or a keras_gans.losses.Game instance."
    )
