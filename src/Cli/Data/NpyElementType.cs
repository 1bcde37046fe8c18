namespace GradDiag.Cli.Data;

/// <summary>The element types GradDiag reads from .npy files, with their NumPy type strings.</summary>
internal enum NpyElementType
{
    /// <summary>32-bit float (<c>&lt;f4</c>).</summary>
    Float32,

    /// <summary>64-bit float (<c>&lt;f8</c>).</summary>
    Float64,

    /// <summary>64-bit signed integer (<c>&lt;i8</c>).</summary>
    Int64,

    /// <summary>32-bit signed integer (<c>&lt;i4</c>).</summary>
    Int32,

    /// <summary>8-bit unsigned integer (<c>|u1</c>).</summary>
    UInt8,

    /// <summary>Boolean stored as one byte, 0 or 1 (<c>|b1</c>).</summary>
    Bool,
}
