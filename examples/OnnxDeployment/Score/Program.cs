using System.CommandLine;
using Microsoft.ML.OnnxRuntime;

// Step 2 of the deployment example: a process that references ONNX Runtime only (and System.CommandLine) scores raw text
// with the exported pipeline (tokenization included) and checks itself against the predictions ML.NET made before export.
var modelFolder = new Option<DirectoryInfo>("--model") { Description = "The folder the Export step wrote (its --out).", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("out", "OnnxDeployment.Export")) };
var textArguments = new Argument<string[]>("texts") { Description = "Texts to score (default: the Export step's sample paragraphs, checked against ML.NET's predictions).", Arity = ArgumentArity.ZeroOrMore };
var command = new RootCommand("OnnxDeployment.Score: score the exported book classifier with ONNX Runtime alone") { modelFolder, textArguments };
ParseResult parsed = command.Parse(args);
if (parsed.Action is not null)
    return parsed.Invoke();
string folder = parsed.GetValue(modelFolder)!.FullName;
string[] given = parsed.GetValue(textArguments) ?? [];
string modelPath = Path.Combine(folder, "book-classifier.onnx");
if (!File.Exists(modelPath))
{
    Console.Error.WriteLine($"{modelPath} not found: run examples/OnnxDeployment/Export first.");
    return 2;
}
string[] classes = File.ReadAllLines(Path.Combine(folder, "classes.txt"));
var samples = File.ReadAllLines(Path.Combine(folder, "samples.tsv")).Select(l => l.Split('\t')).Select(p => (Expected: p[0], Confidence: float.Parse(p[1]), Text: p[2])).ToList();
string[] texts = given.Length > 0 ? given : samples.Select(s => s.Text).ToArray();

using var session = new InferenceSession(modelPath, new SessionOptions { IntraOpNumThreads = 1 });
Console.WriteLine("Graph inputs:  " + string.Join(", ", session.InputMetadata.Select(i => $"{i.Key} {i.Value.ElementType.Name}[{string.Join(",", i.Value.Dimensions)}]")));
Console.WriteLine("Graph outputs: " + string.Join(", ", session.OutputMetadata.Select(o => $"{o.Key} {o.Value.ElementType.Name}[{string.Join(",", o.Value.Dimensions)}]")));

// One batch: text [N, 1] in; class probabilities [N, classes] and the predicted class name [N, 1] out.
using var input = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, new long[] { texts.Length, 1 });
for (int i = 0; i < texts.Length; i++)
    input.StringTensorSetElementAt(texts[i].AsSpan(), i);
using var results = session.Run(new RunOptions(), new[] { "Text" }, new[] { input }, new[] { "Score.output", "PredictedNovel.output" });
ReadOnlySpan<float> scores = results[0].GetTensorDataAsSpan<float>();
int agree = 0;
for (int i = 0; i < texts.Length; i++)
{
    string novel = results[1].GetStringElement(i);
    float confidence = scores.Slice(i * classes.Length, classes.Length).ToArray().Max();
    string check = "";
    if (given.Length == 0)
    {
        bool same = novel == samples[i].Expected && Math.Abs(confidence - samples[i].Confidence) < 1e-4;
        agree += same ? 1 : 0;
        check = same ? "  (= ML.NET)" : $"  (ML.NET said {samples[i].Expected} {samples[i].Confidence:P1})";
    }
    string shown = texts[i].Length > 70 ? texts[i][..70] + "…" : texts[i];
    Console.WriteLine($"{novel,-22} {confidence,6:P1}  \"{shown}\"{check}");
}
if (given.Length == 0)
    Console.WriteLine($"{agree}/{texts.Length} predictions identical to ML.NET's before export");

// What this process ships to score: ONNX Runtime (native + managed) and the model, against TorchSharp-cpu's runtime.
string baseDirectory = AppContext.BaseDirectory;
long ortBytes = Directory.EnumerateFiles(baseDirectory, "*onnxruntime*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
long modelBytes = new FileInfo(modelPath).Length;
string torchFile = Path.Combine(folder, "torchsharp-runtime-bytes.txt");
Console.WriteLine($"Loaded assemblies: {string.Join(", ", AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name).Where(n => n!.StartsWith("Microsoft.ML", StringComparison.Ordinal) || n.StartsWith("Torch", StringComparison.Ordinal) || n.StartsWith("MLNet", StringComparison.Ordinal)))}");
Console.WriteLine($"Shipped to score: ONNX Runtime {ortBytes / 1048576.0:N1} MiB + model {modelBytes / 1048576.0:N1} MiB" +
    (File.Exists(torchFile) ? $"; the TorchSharp-cpu runtime alone is {long.Parse(File.ReadAllText(torchFile)) / 1048576.0:N0} MiB" : ""));
return 0;
