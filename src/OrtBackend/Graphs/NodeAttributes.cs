using System.Text;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Graphs;

/// <summary>Typed reads of a node's attributes with the operator's default when the attribute is absent.</summary>
internal static class NodeAttributes
{
    public static AttributeProto? Find(this NodeProto node, string name)
    {
        foreach (var attribute in node.Attribute)
        {
            if (attribute.Name == name)
            {
                return attribute;
            }
        }

        return null;
    }

    public static long GetInt(this NodeProto node, string name, long defaultValue) =>
        node.Find(name) is { } attribute ? attribute.I : defaultValue;

    public static float GetFloat(this NodeProto node, string name, float defaultValue) =>
        node.Find(name) is { } attribute ? attribute.F : defaultValue;

    public static string GetString(this NodeProto node, string name, string defaultValue) =>
        node.Find(name) is { } attribute ? Encoding.UTF8.GetString(attribute.S.Span) : defaultValue;

    /// <summary>Returns the INTS attribute, or null when the node does not set it.</summary>
    public static long[]? GetInts(this NodeProto node, string name) =>
        node.Find(name) is { } attribute ? attribute.Ints.ToArray() : null;

    /// <summary>Returns the input name at <paramref name="index"/>, or an empty string when it is omitted.</summary>
    public static string InputOrEmpty(this NodeProto node, int index) =>
        index < node.Input.Count ? node.Input[index] : string.Empty;

    /// <summary>Returns the output name at <paramref name="index"/>, or an empty string when it is omitted.</summary>
    public static string OutputOrEmpty(this NodeProto node, int index) =>
        index < node.Output.Count ? node.Output[index] : string.Empty;

    /// <summary>Returns a short description such as <c>node 3 'mm1' (MatMul)</c> for messages.</summary>
    public static string Describe(this NodeProto node, int index) =>
        $"node {index} '{node.Name}' ({node.OpType})";
}
