namespace GradDiag.Writers.TensorBoard;

/// <summary>What a TensorBoard writer does when another live writer has its run folder locked.</summary>
public enum RunFolderConflictPolicy
{
    /// <summary>The writer's constructor throws <see cref="InvalidOperationException"/> naming the folder and the other process.</summary>
    Fail = 0,

    /// <summary>The writer uses a new sibling folder named after the run with a numeric suffix, such as <c>run-2</c>.</summary>
    CreateNewRun = 1,
}
