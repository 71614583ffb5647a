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

    public TokenizerOptions CreateTokenizerOptions() => OptionsJson.Apply(new TokenizerOptions(), Tokenizer, $"Recipe '{Name}': tokenizer");

    public RecurrentTrainerOptions CreateTrainerOptions(string label, string feature)
    {
        var options = OptionsJson.Apply(new RecurrentTrainerOptions(), Trainer, $"Recipe '{Name}': trainer");
        if (Trainer.ContainsKey(nameof(RecurrentTrainerOptions.LabelColumnName)) || Trainer.ContainsKey(nameof(RecurrentTrainerOptions.FeatureColumnName)))
            throw new ArgumentException($"Recipe '{Name}': the column names are set by the suite, not by a recipe.");
        options.LabelColumnName = label;
        options.FeatureColumnName = feature;
        return options;
    }

    /// <summary>
    /// Every expressible option of <paramref name="tokenizer"/> and <paramref name="trainer"/> with its value: the full
    /// recipe a run used (written into each result line and handed to the PyTorch script).
    /// </summary>
    public static JsonObject Effective(TokenizerOptions tokenizer, RecurrentTrainerOptions trainer) => new()
    {
        ["tokenizer"] = OptionsJson.Snapshot(tokenizer),
        ["trainer"] = OptionsJson.Snapshot(trainer),
    };
}
