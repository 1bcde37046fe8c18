namespace GradDiag.OrtBackend.Artifacts;

/// <summary>The syntax of the name patterns that freeze parameters.</summary>
public enum ParameterPatternSyntax
{
    /// <summary>Glob: <c>*</c> matches any run of characters (dots included), <c>?</c> one character; the whole name must match.</summary>
    Glob,

    /// <summary>.NET regular expression; the whole name must match.</summary>
    Regex,
}
