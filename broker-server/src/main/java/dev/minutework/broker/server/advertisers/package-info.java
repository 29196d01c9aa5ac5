/** AdvertiserProfile: the tenant's verified advertiser identity and accepted terms. */
package dev.minutework.broker.server.advertisers;
