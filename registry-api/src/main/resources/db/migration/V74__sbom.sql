-- CycloneDX SBOMs, kept byte for byte as they were written (their signatures cover the bytes):
-- a bundle's is the sbom.cdx.json inside it, sent by bundle-builder publish; a release's is
-- written by the registry at publish. Null for bundles and releases registered before SBOMs.
alter table bundle add column sbom text;
alter table release add column sbom text;
