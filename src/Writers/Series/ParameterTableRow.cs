using System.Collections.Immutable;

namespace GradDiag.Writers.Series;

/// <summary>One row of GradDiag's <c>graddiag/parameters</c> table.</summary>
internal sealed record ParameterTableRow(string Name, string? Layer, int Depth, ImmutableArray<long> Shape, bool IsTrainable);
