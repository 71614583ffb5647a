using Mono.Cecil;
using Mono.Cecil.Cil;
using TorchSharp;

namespace MLNet.Recurrent.Tests;

/// <summary>
/// Scans compiled code for numbers handed to libtorch as <c>TorchSharp.Scalar</c>s that nobody holds: TorchSharp frees a
/// scalar made by an implicit conversion in its finalizer, which the garbage collector can run while libtorch still reads
/// it. Used on the library and the tests (<c>ConcurrencyTests</c>) and, linked, on the examples' shared code.
/// </summary>
internal static class ImplicitScalarScan
{
    /// <summary>
    /// TorchSharp's methods that convert a number to a <see cref="Scalar"/> implicitly, directly or through other TorchSharp
    /// methods (full names), and the check that a method reference is such a conversion or such a method.
    /// </summary>
    public static (HashSet<string> Risky, Func<MethodReference, bool> IsRisky) RiskyMethods(AssemblyDefinition ts)
    {
        static bool IsImplicitScalar(MethodReference m) => m.DeclaringType.FullName == "TorchSharp.Scalar" && m.Name == "op_Implicit";
        var calls = ts.MainModule.GetTypes().SelectMany(t => t.Methods).Where(m => m.HasBody).ToDictionary(
            m => m.FullName,
            m => m.Body.Instructions.Select(i => i.Operand).OfType<MethodReference>().Select(r => r.GetElementMethod()).ToList());
        var risky = calls.Where(c => c.Value.Any(IsImplicitScalar)).Select(c => c.Key).ToHashSet();
        for (bool changed = true; changed;)
        {
            changed = false;
            foreach (var (method, callees) in calls)
                if (!risky.Contains(method) && callees.Any(c => risky.Contains(c.FullName)))
                    changed = risky.Add(method);
        }
        return (risky, m => IsImplicitScalar(m) || risky.Contains(m.GetElementMethod().FullName));
    }

    /// <summary>Every call in <paramref name="assembly"/> (outside the skipped methods) that hands libtorch a scalar nobody holds.</summary>
    public static List<string> Calls(AssemblyDefinition assembly, Func<MethodReference, bool> isRisky, Func<MethodDefinition, bool> skip)
    {
        var offenders = new List<string>();
        foreach (TypeDefinition type in assembly.MainModule.GetTypes())
            foreach (MethodDefinition method in type.Methods.Where(m => m.HasBody && !skip(m)))
                foreach (Instruction instruction in method.Body.Instructions)
                    if (instruction.Operand is MethodReference callee && isRisky(callee))
                        offenders.Add($"{type.Name}.{method.Name} → {callee.DeclaringType.Name}.{callee.Name}");
        return offenders.Distinct().ToList();
    }
}
