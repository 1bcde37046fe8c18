using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace GradDiag.Writers.Framing;

/// <summary>
/// Computes CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial and final inversion) and the
/// masked form that TFRecord framing stores.
/// </summary>
/// <remarks>
/// Uses the CPU's CRC32C instructions through <see cref="BitOperations.Crc32C(uint, ulong)"/> when SSE4.2 or
/// the Arm CRC32 extension is present, and a byte-wise table otherwise. <c>System.IO.Hashing.Crc32</c> uses
/// the zlib polynomial and gives different values.
/// </remarks>
internal static class Crc32C
{
    private const uint ReflectedPolynomial = 0x82F63B78u;
    private const uint MaskDelta = 0xA282EAD8u;

    private static readonly uint[] Table = BuildTable();

    /// <summary>Gets a value indicating whether the hardware path is used on this CPU.</summary>
    public static bool IsHardwareAccelerated { get; } = Sse42.IsSupported || Crc32.IsSupported;

    /// <summary>Computes the CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) =>
        IsHardwareAccelerated ? ~AppendHardware(0xFFFFFFFFu, data) : ComputeSoftware(data);

    /// <summary>Computes the CRC-32C of <paramref name="data"/> with the table algorithm only.</summary>
    public static uint ComputeSoftware(ReadOnlySpan<byte> data) => ~AppendSoftware(0xFFFFFFFFu, data);

    /// <summary>Computes the masked CRC-32C that TFRecord framing stores: rotate right by 15, add 0xA282EAD8.</summary>
    public static uint ComputeMasked(ReadOnlySpan<byte> data) => Mask(Compute(data));

    /// <summary>Masks a CRC the way TFRecord framing stores it.</summary>
    public static uint Mask(uint crc) => BitOperations.RotateRight(crc, 15) + MaskDelta;

    /// <summary>Reverses <see cref="Mask"/>.</summary>
    public static uint Unmask(uint maskedCrc) => BitOperations.RotateLeft(maskedCrc - MaskDelta, 15);

    private static uint AppendHardware(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        // The last 0 to 7 bytes take at most three instructions (4, 2 and 1 bytes) rather than one per byte.
        if (data.Length >= sizeof(uint))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt32LittleEndian(data));
            data = data[sizeof(uint)..];
        }

        if (data.Length >= sizeof(ushort))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt16LittleEndian(data));
            data = data[sizeof(ushort)..];
        }

        if (!data.IsEmpty)
        {
            crc = BitOperations.Crc32C(crc, data[0]);
        }

        return crc;
    }

    private static uint AppendSoftware(uint crc, ReadOnlySpan<byte> data)
    {
        uint[] table = Table;
        foreach (byte value in data)
        {
            crc = table[(crc ^ value) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint entry = i;
            for (int bit = 0; bit < 8; bit++)
            {
                entry = (entry & 1) != 0 ? (entry >> 1) ^ ReflectedPolynomial : entry >> 1;
            }

            table[i] = entry;
        }

        return table;
    }

    /// <summary>Returns table entry <paramref name="index"/>, for tests against published spot values.</summary>
    internal static uint TableEntry(int index) => Table[index];
}
