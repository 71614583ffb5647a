using Microsoft.ML;

namespace MLNet.Recurrent.Tests;

/// <summary>One tiny LSTM trained once per test run on the repeating "abcd" pattern, shared by the tests that only read it.</summary>
internal static class TrainedPatternModel
{
    public const string Period = "abcd";

    private static readonly Lazy<(MLContext Context, TestCharCodec Codec, IDataView Data, LanguageModelTransformer Model)> Instance = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var codec = new TestCharCodec(Period);
        IDataView data = LanguageModelTestData.Load(ml, codec, LanguageModelTestData.Repeating(Period, 48, 24, seed: 3));
        var options = LanguageModelTestData.TinyOptions();
        LanguageModelTransformer model = ml.Transforms.Text.TrainLanguageModel(options).Fit(data);
        return (ml, codec, data, model);
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    public static MLContext Context => Instance.Value.Context;

    public static TestCharCodec Codec => Instance.Value.Codec;

    public static IDataView Data => Instance.Value.Data;

    public static LanguageModelTransformer Model => Instance.Value.Model;
}
