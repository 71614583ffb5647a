using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNet.Recurrent.Accuracy;

/// <summary>
/// A named set of tokenizer and trainer settings: <c>{"tokenizer": {"MinimumFrequency": 2}, "trainer": {"Bidirectional": true}}</c>.
/// Keys are the public property names of <see cref="TokenizerOptions"/> and <see cref="RecurrentTrainerOptions"/> (and
/// of any base class they gain), values JSON numbers, booleans, strings (enum members by name) or null. The special
/// recipe <c>defaults</c> means "no options at all": <c>TokenizeToIds("Tokens", "Text")</c> and the trainer's short overload.
/// </summary>
internal sealed class Recipe
{
    public const string DefaultsName = "defaults";

    private Recipe(string name, JsonObject tokenizer, JsonObject trainer)
    {
        Name = name;
        Tokenizer = tokenizer;
        Trainer = trainer;
    }

    public string Name { get; }

    public JsonObject Tokenizer { get; }

    public JsonObject Trainer { get; }

    public bool IsDefaults => Name == DefaultsName;

    /// <summary>
    /// <paramref name="spec"/>: <c>defaults</c>; a preset name in <paramref name="presetsPath"/> (its <c>"presets"</c> object);
    /// an inline JSON object; or the path of a JSON file holding one recipe.
    /// </summary>
    public static Recipe Resolve(string spec, string presetsPath)
    {
        if (spec == DefaultsName)
            return new Recipe(DefaultsName, new JsonObject(), new JsonObject());
        if (spec.TrimStart().StartsWith('{'))
            return FromJson("inline", ParseObject(spec, "the --recipe value"));
        if (spec.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && File.Exists(spec))
            return FromJson(Path.GetFileNameWithoutExtension(spec), ParseObject(File.ReadAllText(spec), spec));
        if (!File.Exists(presetsPath))
            throw new FileNotFoundException($"Recipe '{spec}' is not 'defaults', inline JSON or a .json file, and the presets file '{presetsPath}' does not exist.", presetsPath);
        var presets = ParseObject(File.ReadAllText(presetsPath), presetsPath)["presets"] as JsonObject
            ?? throw new InvalidDataException($"{presetsPath} has no \"presets\" object.");
        if (presets[spec] is not JsonObject preset)
            throw new ArgumentException($"Recipe '{spec}' is not a preset in {presetsPath}; presets: {string.Join(", ", presets.Select(p => p.Key))}.");
        return FromJson(spec, preset);
    }

    private static JsonObject ParseObject(string json, string what) =>
        JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
        ?? throw new InvalidDataException($"{what} is not a JSON object.");

    private static Recipe FromJson(string name, JsonObject json)
    {
        foreach (var (key, _) in json)
            if (key is not ("tokenizer" or "trainer" or "description"))
                throw new ArgumentException($"Recipe '{name}': unknown key '{key}'; allowed: tokenizer, trainer, description.");
        return new Recipe(name, (json["tokenizer"] as JsonObject) ?? new JsonObject(), (json["trainer"] as JsonObject) ?? new JsonObject());
    }

    public TokenizerOptions CreateTokenizerOptions() => Apply(new TokenizerOptions(), Tokenizer, "tokenizer");

    public RecurrentTrainerOptions CreateTrainerOptions(string label, string feature)
    {
        var options = Apply(new RecurrentTrainerOptions(), Trainer, "trainer");
        if (Trainer.ContainsKey(nameof(RecurrentTrainerOptions.LabelColumnName)) || Trainer.ContainsKey(nameof(RecurrentTrainerOptions.FeatureColumnName)))
            throw new ArgumentException($"Recipe '{Name}': the column names are set by the suite, not by a recipe.");
        options.LabelColumnName = label;
        options.FeatureColumnName = feature;
        return options;
    }

    /// <summary>Sets each recipe key on the matching public settable property, converting the JSON value to its type.</summary>
    private T Apply<T>(T target, JsonObject values, string part) where T : notnull
    {
        var settable = Settable(typeof(T)).ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var (key, node) in values)
        {
            if (!settable.TryGetValue(key, out var property))
                throw new ArgumentException($"Recipe '{Name}': {part}.{key} is not a settable option of {typeof(T).Name}; settable: {string.Join(", ", settable.Keys.Order())}.");
            try
            {
                property.SetValue(target, Convert(node, property.PropertyType));
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or JsonException)
            {
                throw new ArgumentException($"Recipe '{Name}': {part}.{key} = {node?.ToJsonString() ?? "null"} does not fit {typeof(T).Name}.{key} ({Describe(property.PropertyType)}): {e.Message}");
            }
        }
        return target;
    }

    private static object? Convert(JsonNode? node, Type type)
    {
        Type? underlying = Nullable.GetUnderlyingType(type);
        if (node is null)
            return underlying is not null || !type.IsValueType ? null : throw new FormatException("null is not allowed here");
        Type t = underlying ?? type;
        var value = node.AsValue();
        if (t.IsEnum)
        {
            string text = value.GetValue<string>();
            return Enum.TryParse(t, text, ignoreCase: true, out object? parsed) && Enum.IsDefined(t, parsed!)
                ? parsed
                : throw new FormatException($"'{text}' is not one of {string.Join(", ", Enum.GetNames(t))}");
        }
        if (t == typeof(string)) return value.GetValue<string>();
        if (t == typeof(bool)) return value.GetValue<bool>();
        if (t == typeof(int)) return value.GetValue<int>();
        if (t == typeof(long)) return value.GetValue<long>();
        if (t == typeof(float)) return value.GetValue<float>();
        if (t == typeof(double)) return value.GetValue<double>();
        if (t == typeof(TimeSpan)) return TimeSpan.Parse(value.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        throw new FormatException($"options of type {t.Name} cannot be set from a recipe");
    }

    /// <summary>Public instance properties with a public setter whose type a recipe can express.</summary>
    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0 && Expressible(p.PropertyType));

    private static bool Expressible(Type type)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsEnum || t.IsPrimitive || t == typeof(string) || t == typeof(TimeSpan);
    }

    private static string Describe(Type type) =>
        Nullable.GetUnderlyingType(type) is { } u ? u.Name + "?" : type.Name;

    /// <summary>
    /// Every expressible option of <paramref name="tokenizer"/> and <paramref name="trainer"/> with its value: the full
    /// recipe a run used (written into each result line and handed to the PyTorch script).
    /// </summary>
    public static JsonObject Effective(TokenizerOptions tokenizer, RecurrentTrainerOptions trainer) => new()
    {
        ["tokenizer"] = Snapshot(tokenizer),
        ["trainer"] = Snapshot(trainer),
    };

    private static JsonObject Snapshot(object options)
    {
        var json = new JsonObject();
        foreach (var p in Settable(options.GetType()).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            object? v = p.GetValue(options);
            json[p.Name] = v switch
            {
                null => null,
                Enum e => JsonValue.Create(e.ToString()),
                TimeSpan ts => JsonValue.Create(ts.ToString("c", System.Globalization.CultureInfo.InvariantCulture)),
                _ => JsonSerializer.SerializeToNode(v, v.GetType()),
            };
        }
        return json;
    }
}
