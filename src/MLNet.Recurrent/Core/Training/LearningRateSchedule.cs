namespace MLNet.Recurrent;

/// <summary>How the learning rate changes during training. Applied per batch.</summary>
public enum LearningRateSchedule
{
    /// <summary>The learning rate stays at its initial value.</summary>
    Constant,
    /// <summary>Decays linearly from the initial value to 0 at the end of the last epoch.</summary>
    LinearDecay,
    /// <summary>Cosine annealing from the initial value to 0 at the end of the last epoch.</summary>
    Cosine,
    /// <summary>Multiplies the learning rate by a factor (default 0.5) at the end of every epoch.</summary>
    StepDecay,
}
