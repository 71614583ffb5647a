namespace MLNet.Recurrent;

/// <summary>Optimization algorithm.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (ε = 1e-8; β set by the options' <c>AdamBeta1</c>/<c>AdamBeta2</c>, default 0.9 and 0.999), weight decay added to the gradient (L2).</summary>
    Adam,
    /// <summary>AdamW: Adam with decoupled weight decay.</summary>
    AdamW,
    /// <summary>Stochastic gradient descent with (Nesterov-free) momentum.</summary>
    Sgd,
}
