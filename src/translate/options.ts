// What the translator needs from the static configuration.

export interface EntryPointAddress {
  name: string;
  host: string;
  port: number;
  protocol: 'tcp' | 'udp';
}

export type Profile = 'envoy' | 'grpc';

export interface TranslateOptions {
  entryPoints: EntryPointAddress[];
  profile: Profile;
}
