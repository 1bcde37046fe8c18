using System.Collections.Frozen;

namespace GradDiag.OrtBackend.Gradients;

/// <summary>Maps default-domain operator types to their gradient rules.</summary>
internal sealed class GradientRuleRegistry
{
    private readonly FrozenDictionary<string, IGradientRule> rules;

    /// <summary>Initializes a registry from explicit rules; an operator type claimed twice is an error.</summary>
    public GradientRuleRegistry(IEnumerable<IGradientRule> rules)
    {
        var map = new Dictionary<string, IGradientRule>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            foreach (var opType in rule.OpTypes)
            {
                if (!map.TryAdd(opType, rule))
                {
                    throw new InvalidOperationException($"Operator '{opType}' has two gradient rules: {map[opType].GetType().Name} and {rule.GetType().Name}.");
                }
            }
        }

        this.rules = map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Gets the registry of every rule in this assembly.</summary>
    public static GradientRuleRegistry Default { get; } = new(DiscoverRules());

    /// <summary>Gets the operator types that have a rule (differentiable or not), sorted.</summary>
    public IReadOnlyList<string> OpTypes => rules.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Returns the rule of a node, or false for other domains and operators without a rule.</summary>
    public bool TryGet(string domain, string opType, out IGradientRule rule)
    {
        if (domain is "" or "ai.onnx")
        {
            return rules.TryGetValue(opType, out rule!);
        }

        rule = null!;
        return false;
    }

    private static IEnumerable<IGradientRule> DiscoverRules() =>
        typeof(IGradientRule).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IGradientRule).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (IGradientRule)Activator.CreateInstance(t)!);
}
