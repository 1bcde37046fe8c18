using System.Collections;

namespace GradDiag;

/// <summary>
/// An ordered, immutable set of parameters with unique names, sorted by depth (input side first).
/// </summary>
public sealed class ParameterSet : IReadOnlyList<ParameterDescriptor>
{
    private readonly ParameterDescriptor[] _parameters;
    private readonly Dictionary<string, int> _indexByName;

    /// <summary>Creates a set from descriptors; they are ordered by depth, then by their given order.</summary>
    /// <exception cref="ArgumentException">A descriptor is null or two share a name.</exception>
    public ParameterSet(IEnumerable<ParameterDescriptor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ParameterDescriptor[] given = parameters.ToArray();
        for (int i = 0; i < given.Length; i++)
        {
            if (given[i] is null)
            {
                throw new ArgumentException($"Parameter descriptor at position {i} is null.", nameof(parameters));
            }
        }

        // A stable sort keeps the caller's order between parameters of the same depth.
        _parameters = given.Select((p, i) => (p, i)).OrderBy(t => t.p.Depth).ThenBy(t => t.i).Select(t => t.p).ToArray();
        _indexByName = new Dictionary<string, int>(_parameters.Length, StringComparer.Ordinal);
        for (int i = 0; i < _parameters.Length; i++)
        {
            if (!_indexByName.TryAdd(_parameters[i].Name, i))
            {
                throw new ArgumentException($"Parameter name '{_parameters[i].Name}' appears more than once; parameter names must be unique.", nameof(parameters));
            }
        }
    }

    /// <summary>Gets an empty set.</summary>
    public static ParameterSet Empty { get; } = new([]);

    /// <inheritdoc/>
    public int Count => _parameters.Length;

    /// <inheritdoc/>
    public ParameterDescriptor this[int index] => _parameters[index];

    /// <summary>Returns the index of the named parameter, or -1 when the set does not contain it.</summary>
    public int IndexOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _indexByName.TryGetValue(name, out int index) ? index : -1;
    }

    /// <summary>Returns the index of the named parameter.</summary>
    /// <exception cref="KeyNotFoundException">The set does not contain the name.</exception>
    public int GetIndex(string name)
    {
        int index = IndexOf(name);
        if (index < 0)
        {
            throw new KeyNotFoundException($"Parameter '{name}' is not in this parameter set. Known parameters: {string.Join(", ", _parameters.Select(p => p.Name).Take(20))}.");
        }

        return index;
    }

    /// <inheritdoc/>
    public IEnumerator<ParameterDescriptor> GetEnumerator() => ((IEnumerable<ParameterDescriptor>)_parameters).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _parameters.GetEnumerator();
}
