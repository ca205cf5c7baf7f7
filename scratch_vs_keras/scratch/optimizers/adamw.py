"""AdamW (Loshchilov and Hutter, 2019), as ``keras.optimizers.AdamW``."""

from .adam import Adam


class AdamW(Adam):
    r"""Adam with decoupled weight decay: before each Adam step
    :math:`w \leftarrow w - w\,\lambda\,\eta_t` (Keras's default :math:`\lambda = 0.004`).

    Args:
        learning_rate: :math:`\eta` (default 0.001) or a schedule.
        weight_decay: :math:`\lambda` (default 0.004; required).
        beta_1, beta_2, epsilon, amsgrad: as :class:`Adam`.
    """

    name = "adamw"

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, **kwargs):
        if weight_decay is None:
            raise ValueError("`weight_decay` must be a number for AdamW; received None.")
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)
