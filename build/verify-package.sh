#!/usr/bin/env bash
# Packs MLNet.Recurrent and builds + runs + publishes a throwaway console app that consumes the .nupkg from a
# local folder feed, proving the buildTransitive native fix reaches package users (see README "Platform notes"), once
# per supported ML.NET major version (the app references that ML.NET itself; NU1608, a version outside our dependency
# range, is an error there).
# Usage: build/verify-package.sh   (takes ~1 minute; not part of CI: it copies ~500 MB of libtorch twice)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/src/MLNet.Recurrent/MLNet.Recurrent.csproj")
dotnet pack "$root/src/MLNet.Recurrent" -c Release -o "$work/feed" -p:Version="$version" >/dev/null
rm -rf "${HOME}/.nuget/packages/mlnet.recurrent/$version"
for mlnet in 5.0.1 6.0.0; do
rm -rf "$work/app" "$work/pub"
mkdir -p "$work/app"
cat > "$work/app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration><packageSources>
  <add key="local" value="$work/feed" />
  <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
</packageSources></configuration>
XML
cat > "$work/app/app.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings><WarningsAsErrors>NU1608</WarningsAsErrors></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="MLNet.Recurrent" Version="$version" />
    <PackageReference Include="Microsoft.ML" Version="$mlnet" />
    <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
  </ItemGroup>
</Project>
XML
cat > "$work/app/Program.cs" <<'CS'
using Microsoft.ML;
using MLNet.Recurrent;
var ml = new MLContext(seed: 1);
var data = ml.Data.LoadFromEnumerable(new[] { new Row { Text = "a good film", Label = true }, new Row { Text = "a bad film", Label = false } });
var model = ml.Transforms.Text.TokenizeToIds("Tokens", "Text")
    .Append(ml.BinaryClassification.Trainers.Recurrent(numberOfEpochs: 1)).Fit(data);
Console.WriteLine($"package consumer ok on ML.NET {System.Diagnostics.FileVersionInfo.GetVersionInfo(typeof(MLContext).Assembly.Location).ProductVersion}: {model.Transform(data).Schema.Count} columns");
sealed class Row { public string Text { get; set; } = ""; public bool Label { get; set; } }
CS
(cd "$work/app" && dotnet run -c Release 2>&1 | grep -v NU1603 | tail -2)
(cd "$work/app" && dotnet publish -c Release -o "$work/pub" >/dev/null && dotnet "$work/pub/app.dll")
done
rm -rf "${HOME}/.nuget/packages/mlnet.recurrent/$version"
