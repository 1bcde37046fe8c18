using System.Text;

namespace GradDiag.Cli.Tests;

/// <summary>Builds .npy file contents for tests, in any format version and with any header text.</summary>
internal static class NpyBytes
{
    public static byte[] Build(string descr, string shape, byte[] data, int version = 1, bool fortranOrder = false)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': {shape}, }}";
        return BuildWithHeader(dict, data, version);
    }

    public static byte[] BuildWithHeader(string dict, byte[] data, int version = 1)
    {
        int lengthSize = version == 1 ? 2 : 4;
        int prefix = 8 + lengthSize;
        int total = prefix + dict.Length + 1;
        int padding = (64 - (total % 64)) % 64;
        string header = dict + new string(' ', padding) + "\n";
        byte[] headerBytes = version == 3 ? Encoding.UTF8.GetBytes(header) : Encoding.Latin1.GetBytes(header);

        using var stream = new MemoryStream();
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)version, 0]);
        if (version == 1)
        {
            stream.Write(BitConverter.GetBytes((ushort)headerBytes.Length));
        }
        else
        {
            stream.Write(BitConverter.GetBytes((uint)headerBytes.Length));
        }

        stream.Write(headerBytes);
        stream.Write(data);
        return stream.ToArray();
    }

    public static byte[] Floats(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    public static byte[] Doubles(params double[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    public static byte[] Longs(params long[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    public static byte[] Ints(params int[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();
}
