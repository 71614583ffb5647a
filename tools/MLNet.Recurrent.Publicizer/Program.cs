using Mono.Cecil;

// Usage: MLNet.Recurrent.Publicizer <input.dll> <output.dll>
// Writes a copy of the input assembly in which every type and every non-private member
// (internal, protected internal, private protected, protected) is public. The copy is only ever
// handed to the C# compiler; at run time the original assembly loads, and the library's
// [IgnoresAccessChecksTo] attributes let CoreCLR accept the calls.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: MLNet.Recurrent.Publicizer <input.dll> <output.dll>");
    return 2;
}

string input = args[0], output = args[1];
var resolver = new DefaultAssemblyResolver();
resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(input))!);
using (var assembly = AssemblyDefinition.ReadAssembly(input, new ReaderParameters { AssemblyResolver = resolver, ReadSymbols = false }))
{
    foreach (TypeDefinition type in assembly.MainModule.GetTypes())
    {
        if (type.IsNested) type.IsNestedPublic = true;
        else type.IsPublic = true;

        foreach (MethodDefinition method in type.Methods)
            if (!method.IsPrivate) method.IsPublic = true;

        // Field-like events share their name with a private backing field; only non-private fields change.
        foreach (FieldDefinition field in type.Fields)
            if (!field.IsPrivate) field.IsPublic = true;
    }
    string tmp = output + ".tmp";
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
    assembly.Write(tmp);
    File.Move(tmp, output, overwrite: true);
}
return 0;
