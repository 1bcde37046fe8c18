namespace GradDiag.OrtBackend.Optimizers;

/// <summary>The update rule of the optimizer graph, each following PyTorch's torch.optim formulas.</summary>
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay (torch.optim.SGD, dampening 0).</summary>
    Sgd,

    /// <summary>Adam with bias correction; weight decay is added to the gradient as an L2 term (torch.optim.Adam).</summary>
    Adam,

    /// <summary>Adam with decoupled weight decay applied to the weights before the update (torch.optim.AdamW).</summary>
    AdamW,
}
