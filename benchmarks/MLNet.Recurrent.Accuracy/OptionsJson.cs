using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNet.Recurrent.Accuracy;

/// <summary>
/// Options objects as JSON: keys are public property names (of the type and its base classes), values JSON numbers,
/// booleans, strings (enum members by name, <see cref="TimeSpan"/> as <c>"c"</c>-format text) or null. Used by the
/// recipes of the classification suite and the option overrides of the language-model suite.
/// </summary>
internal static class OptionsJson
{
    /// <summary>
    /// Sets each key of <paramref name="values"/> on the matching public settable property of <paramref name="target"/>,
    /// converting the JSON value to its type; <paramref name="context"/> starts the error messages ("Recipe 'x': trainer").
    /// </summary>
    public static T Apply<T>(T target, JsonObject values, string context) where T : notnull
    {
        var settable = Settable(typeof(T)).ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var (key, node) in values)
        {
            if (!settable.TryGetValue(key, out var property))
                throw new ArgumentException($"{context}.{key} is not a settable option of {typeof(T).Name}; settable: {string.Join(", ", settable.Keys.Order())}.");
            try
            {
                property.SetValue(target, Convert(node, property.PropertyType));
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or JsonException)
            {
                throw new ArgumentException($"{context}.{key} = {node?.ToJsonString() ?? "null"} does not fit {typeof(T).Name}.{key} ({Describe(property.PropertyType)}): {e.Message}");
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
        throw new FormatException($"options of type {t.Name} cannot be set from JSON");
    }

    /// <summary>Public instance properties with a public setter whose type JSON can express.</summary>
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

    /// <summary>Every JSON-expressible public settable option of <paramref name="options"/> with its value, by name.</summary>
    public static JsonObject Snapshot(object options)
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
