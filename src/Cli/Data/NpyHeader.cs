using System.Globalization;

namespace GradDiag.Cli.Data;

/// <summary>
/// The parsed header of a .npy file: a Python dict literal such as
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (1797, 64), }</c>.
/// </summary>
/// <param name="Descr">The NumPy type string, for example <c>&lt;f4</c>.</param>
/// <param name="ElementType">The element type the type string names.</param>
/// <param name="Shape">The dimensions.</param>
internal sealed record NpyHeader(string Descr, NpyElementType ElementType, IReadOnlyList<long> Shape)
{
    /// <summary>Gets the shape as NumPy prints it.</summary>
    public string ShapeText => Shape.Count == 1
        ? string.Create(CultureInfo.InvariantCulture, $"({Shape[0]},)")
        : $"({string.Join(", ", Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))})";

    /// <summary>Parses a header and checks its fields.</summary>
    /// <exception cref="DataFormatException">A field is missing or has a value GradDiag does not read; the message names the field.</exception>
    public static NpyHeader Parse(string header, string source)
    {
        ArgumentNullException.ThrowIfNull(header);
        var fields = new HeaderParser(header, source).ParseDict();

        string descr = fields.TryGetValue("descr", out object? d) && d is string text
            ? text
            : throw new DataFormatException($"{source}: header field 'descr' is missing or not a type string (structured arrays are not supported).");
        if (!fields.TryGetValue("fortran_order", out object? f) || f is not bool fortranOrder)
        {
            throw new DataFormatException($"{source}: header field 'fortran_order' is missing or not True/False.");
        }

        if (fortranOrder)
        {
            throw new DataFormatException($"{source}: header field 'fortran_order' is True; only C-order arrays are read. Save it with np.save(path, np.ascontiguousarray(a)).");
        }

        if (!fields.TryGetValue("shape", out object? s) || s is not List<long> shape)
        {
            throw new DataFormatException($"{source}: header field 'shape' is missing or not a tuple of integers.");
        }

        return new NpyHeader(descr, ParseDescr(descr, source), shape);
    }

    private static NpyElementType ParseDescr(string descr, string source)
    {
        if (descr.Length >= 2 && descr[0] == '>' && descr[1..] is not ("u1" or "b1" or "i1"))
        {
            throw new DataFormatException(
                $"{source}: header field 'descr' is '{descr}', a big-endian type; only little-endian data is read. Convert it with a.astype(a.dtype.newbyteorder('<')).");
        }

        string type = descr.TrimStart('<', '|', '=', '>');
        return type switch
        {
            "f4" => NpyElementType.Float32,
            "f8" => NpyElementType.Float64,
            "i8" => NpyElementType.Int64,
            "i4" => NpyElementType.Int32,
            "u1" => NpyElementType.UInt8,
            "b1" => NpyElementType.Bool,
            _ => throw new DataFormatException(
                $"{source}: header field 'descr' is '{descr}'; supported types are float32 (<f4), float64 (<f8), int64 (<i8), int32 (<i4), uint8 (|u1) and bool (|b1)."),
        };
    }

    /// <summary>Parses the small subset of Python literals a .npy header uses: strings, True/False, integers and tuples.</summary>
    private sealed class HeaderParser(string text, string source)
    {
        private int _position;

        public Dictionary<string, object> ParseDict()
        {
            var fields = new Dictionary<string, object>(StringComparer.Ordinal);
            Expect('{');
            while (true)
            {
                SkipSpace();
                if (Peek() == '}')
                {
                    _position++;
                    return fields;
                }

                if (ParseValue() is not string key)
                {
                    throw Error("a quoted key");
                }

                Expect(':');
                fields[key] = ParseValue();
                SkipSpace();
                if (Peek() == ',')
                {
                    _position++;
                }
            }
        }

        private object ParseValue()
        {
            SkipSpace();
            char c = Peek();
            if (c is '\'' or '"')
            {
                int end = text.IndexOf(c, _position + 1);
                if (end < 0)
                {
                    throw Error("a closing quote");
                }

                string value = text[(_position + 1)..end];
                _position = end + 1;
                return value;
            }

            if (c == '(')
            {
                _position++;
                var items = new List<long>();
                while (true)
                {
                    SkipSpace();
                    if (Peek() == ')')
                    {
                        _position++;
                        return items;
                    }

                    if (ParseValue() is not long item || item < 0)
                    {
                        throw new DataFormatException($"{source}: header field 'shape' must be a tuple of non-negative integers.");
                    }

                    items.Add(item);
                    SkipSpace();
                    if (Peek() == ',')
                    {
                        _position++;
                    }
                }
            }

            int start = _position;
            while (_position < text.Length && (char.IsLetterOrDigit(text[_position]) || text[_position] == '-'))
            {
                _position++;
            }

            string word = text[start.._position];
            return word switch
            {
                "True" => true,
                "False" => false,
                _ when long.TryParse(word, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number) => number,
                _ => throw Error("a string, True, False, an integer or a tuple"),
            };
        }

        private void Expect(char expected)
        {
            SkipSpace();
            if (Peek() != expected)
            {
                throw Error($"'{expected}'");
            }

            _position++;
        }

        private char Peek() => _position < text.Length ? text[_position] : '\0';

        private void SkipSpace()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        private DataFormatException Error(string expected) =>
            new(string.Create(CultureInfo.InvariantCulture, $"{source}: the header is not a valid .npy dict: expected {expected} at character {_position + 1} of \"{text.TrimEnd()}\"."));
    }
}
