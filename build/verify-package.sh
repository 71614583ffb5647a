#!/usr/bin/env bash
# Packs MLNet.Recurrent and builds + runs + publishes a throwaway console app that consumes the .nupkg from a
# local folder feed, proving the buildTransitive native fix reaches package users (see README "Platform notes").
# Usage: build/verify-package.sh   (takes ~1 minute; not part of CI: it copies ~500 MB of libtorch twice)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/src/MLNet.Recurrent/MLNet.Recurrent.csproj")
dotnet pack "$root/src/MLNet.Recurrent" -c Release -o "$work/feed" -p:Version="$version" >/dev/null
rm -rf "${HOME}/.nuget/packages/mlnet.recurrent/$version"
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
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="MLNet.Recurrent" Version="$version" />
    <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
  </ItemGroup>
</Project>
XML
cat > "$work/app/Program.cs" <<'CS'
using TorchSharp;
var model = new MLNet.Recurrent.RecurrentSequenceModel(new MLNet.Recurrent.RecurrentEncoderOptions { VocabularySize = 10 }, 2);
using var x = torch.tensor(new long[] { 2, 3, 4 }, new long[] { 1, 3 });
using var l = torch.tensor(new long[] { 3 });
Console.WriteLine("package consumer ok: output shape " + string.Join("x", model.call(x, l).shape));
CS
(cd "$work/app" && dotnet run -c Release 2>&1 | grep -v NU1603 | tail -2)
(cd "$work/app" && dotnet publish -c Release -o "$work/pub" >/dev/null && dotnet "$work/pub/app.dll")
rm -rf "${HOME}/.nuget/packages/mlnet.recurrent/$version"
