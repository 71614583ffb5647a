namespace MLNet.Recurrent;

/// <summary>Optimization algorithm.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (β = 0.9, 0.999; ε = 1e-8), weight decay added to the gradient (L2).</summary>
    Adam,
    /// <summary>AdamW: Adam with decoupled weight decay.</summary>
    AdamW,
    /// <summary>Stochastic gradient descent with (Nesterov-free) momentum.</summary>
    Sgd,
}
